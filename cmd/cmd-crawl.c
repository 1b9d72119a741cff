/* cmd/cmd-crawl.c: ctrgit crawl (being written). */
#include "cmd/ctrgit.h"

int
cmd_crawl (int argc, char **argv, CtrGlobals *g)
{
  return ctr_usage ("crawl", "not implemented yet");
}
