/* crawler/sandbox.c (being written). */
#include "crawler/crawler.h"

gboolean
crawl_sandbox_enter (GError **error)
{
  return TRUE;
}

int
crawl_sandbox_mode (void)
{
  return 0;
}
