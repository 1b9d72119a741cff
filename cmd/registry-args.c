/* cmd/registry-args.c: the options every command that talks to a registry
 * takes (pull, push), as skopeo and podman spell them. */
#include "cmd/ctrgit.h"

#include <string.h>

void
ctr_registry_args_add (GOptionContext *ctx, CtrRegistryArgs *a)
{
  GOptionEntry entries[] = {
    { "tls-verify", 0, 0, G_OPTION_ARG_STRING, &a->tls, "Verify certificates and require https (default true)", "BOOL" },
    { "creds", 0, 0, G_OPTION_ARG_STRING, &a->creds, "Credentials, over the auth files", "USER:PASSWORD" },
    { "authfile", 0, 0, G_OPTION_ARG_FILENAME, &a->authfile, "Auth file (default: $REGISTRY_AUTH_FILE, containers' auth.json, ~/.docker/config.json)", "FILE" },
    { "cert-dir", 0, 0, G_OPTION_ARG_FILENAME, &a->certdir, "CA and client certificates (default: /etc/containers/certs.d/HOST)", "DIR" },
    { NULL },
  };
  g_option_context_add_main_entries (ctx, entries, NULL);
}

gboolean
ctr_registry_args_finish (const char *cmd, CtrRegistryArgs *a)
{
  a->ro = (OciRegistryOptions) { .tls_verify = TRUE, .auth_file = a->authfile, .cert_dir = a->certdir };
  if (a->tls && g_str_equal (a->tls, "false"))
    a->ro.tls_verify = FALSE;
  else if (a->tls && !g_str_equal (a->tls, "true"))
    return ctr_usage (cmd, "--tls-verify takes true or false"), FALSE;
  if (a->creds)
    {
      char *colon = strchr (a->creds, ':');
      if (!colon)
        return ctr_usage (cmd, "--creds takes USER:PASSWORD"), FALSE;
      a->user = g_strndup (a->creds, colon - a->creds);
      a->ro.username = a->user;
      a->ro.password = colon + 1;
    }
  return TRUE;
}

void
ctr_registry_args_clear (CtrRegistryArgs *a)
{
  g_free (a->tls);
  g_free (a->creds);
  g_free (a->authfile);
  g_free (a->certdir);
  g_free (a->user);
}
