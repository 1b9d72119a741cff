/* cmd/cmd-search.c: ctrgit search (being written). */
#include "cmd/ctrgit.h"

int
cmd_search (int argc, char **argv, CtrGlobals *g)
{
  return ctr_usage ("search", "not implemented yet");
}
