/* crawler/feature-interface.c: the interface feature, one item per network
 * interface of the target's init (its network namespace), keyed by name,
 * with the counters of /proc/PID/net/dev.
 */
#include "crawler/crawler.h"
#include "crawler/procfs.h"

gboolean
crawl_feature_interface (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error)
{
  const char *proc = t->proc ? t->proc : "/proc";
  g_autofree char *text = NULL;
  g_autoptr(GError) local = NULL;
  if (!crawl_proc_read (proc, t->pid, "net/dev", CRAWL_PROC_FILE_MAX, &text, NULL, &local))
    {
      if (!procfs_pid_gone (proc, t->pid, local))
        crawl_target_skip (t, "interface", "net/dev", local->message);
      return TRUE;
    }
  g_autoptr(GArray) devs = procfs_parse_net_dev (text);
  for (guint i = 0; i < devs->len; i++)
    {
      ProcNetDev *d = &g_array_index (devs, ProcNetDev, i);
      /* A container names its interfaces: bytes, maybe not UTF-8. */
      g_autoptr(json_t) name = crawl_json_string (d->name, -1);
      json_t *item = json_pack ("{sOsIsIsIsIsIsIsIsI}", "name", name,
                                "rx_bytes", (json_int_t) d->rx_bytes,
                                "rx_packets", (json_int_t) d->rx_packets,
                                "rx_errors", (json_int_t) d->rx_errors,
                                "rx_drops", (json_int_t) d->rx_drops,
                                "tx_bytes", (json_int_t) d->tx_bytes,
                                "tx_packets", (json_int_t) d->tx_packets,
                                "tx_errors", (json_int_t) d->tx_errors,
                                "tx_drops", (json_int_t) d->tx_drops);
      json_object_set_new (items, json_string_value (name), item);
    }
  return TRUE;
}
