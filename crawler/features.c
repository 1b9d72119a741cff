/* crawler/features.c: the table of built-in features, in frame order. */
#include "crawler/crawler.h"

static const CrawlFeature builtin[] = {
  { "os",         TRUE,  crawl_feature_os,         "distribution, kernel, hostname, architecture, start time" },
  { "process",    TRUE,  crawl_feature_process,    "processes: pids, command lines, users, state, resources" },
  { "connection", TRUE,  crawl_feature_connection, "TCP, UDP and unix sockets, joined to their processes" },
  { "file",       TRUE,  crawl_feature_file,       "files changed since the image (overlay upperdir)" },
  { "package",    TRUE,  crawl_feature_package,    "installed dpkg, apk and rpm packages" },
  { "config",     TRUE,  crawl_feature_config,     "content of chosen configuration files" },
  { "metric",     TRUE,  crawl_feature_metric,     "cgroup CPU, memory, pids and I/O" },
  { "interface",  TRUE,  crawl_feature_interface,  "network interfaces and their counters" },
};

const CrawlFeature *
crawl_features_builtin (gsize *n)
{
  *n = G_N_ELEMENTS (builtin);
  return builtin;
}

const CrawlFeature *
crawl_feature_find (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (builtin); i++)
    if (g_str_equal (builtin[i].name, name))
      return &builtin[i];
  return NULL;
}
