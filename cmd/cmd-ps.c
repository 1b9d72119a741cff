/* cmd/cmd-ps.c: ctrgit ps (being written). */
#include "cmd/ctrgit.h"

int
cmd_ps (int argc, char **argv, CtrGlobals *g)
{
  return ctr_usage ("ps", "not implemented yet");
}
