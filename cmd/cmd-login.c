/* cmd/cmd-login.c: ctrgit login REGISTRY */
#include "cmd/ctrgit.h"
#include "oci/oci-registry.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static char *
read_line (FILE *in, gboolean echo_off)
{
  struct termios saved, quiet;
  gboolean tty = echo_off && isatty (fileno (in)) && tcgetattr (fileno (in), &saved) == 0;
  if (tty)
    {
      quiet = saved;
      quiet.c_lflag &= ~ECHO;
      tcsetattr (fileno (in), TCSANOW, &quiet);
    }
  char buf[4096];
  char *line = fgets (buf, sizeof buf, in) ? g_strdup (g_strchomp (buf)) : NULL;
  if (tty)
    {
      tcsetattr (fileno (in), TCSANOW, &saved);
      fputc ('\n', stderr);
    }
  return line;
}

int
cmd_login (int argc, char **argv, CtrGlobals *g)
{
  g_autofree char *user = NULL, *password = NULL, *authfile = NULL, *tls = NULL, *certdir = NULL;
  gboolean password_stdin = FALSE;
  GOptionEntry entries[] = {
    { "username", 'u', 0, G_OPTION_ARG_STRING, &user, "User name", "USER" },
    { "password", 'p', 0, G_OPTION_ARG_STRING, &password, "Password (prefer --password-stdin)", "PASSWORD" },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, "Read the password from standard input", NULL },
    { "authfile", 0, 0, G_OPTION_ARG_FILENAME, &authfile, "Auth file to write (default: $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json)", "FILE" },
    { "tls-verify", 0, 0, G_OPTION_ARG_STRING, &tls, "Verify certificates and require https (default true)", "BOOL" },
    { "cert-dir", 0, 0, G_OPTION_ARG_FILENAME, &certdir, "CA and client certificates", "DIR" },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("REGISTRY - check credentials and store them for pull");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!ctr_parse_options (ctx, &argc, &argv, "login"))
    return CTR_EXIT_USAGE;
  if (argc != 2)
    return ctr_usage ("login", "expected REGISTRY");
  if (password && password_stdin)
    return ctr_usage ("login", "--password and --password-stdin exclude each other");
  if (tls && !g_str_equal (tls, "true") && !g_str_equal (tls, "false"))
    return ctr_usage ("login", "--tls-verify takes true or false");
  const char *domain = argv[1];
  if (g_str_equal (domain, "index.docker.io") || g_str_equal (domain, "registry-1.docker.io"))
    domain = "docker.io";
  if (!user)
    {
      if (password_stdin || !isatty (STDIN_FILENO))
        return ctr_usage ("login", "give --username when the password comes from standard input");
      fprintf (stderr, "Username: ");
      user = read_line (stdin, FALSE);
    }
  if (!password)
    {
      if (!password_stdin)
        fprintf (stderr, "Password: ");
      password = read_line (stdin, !password_stdin);
    }
  if (!user || !password)
    return ctr_usage ("login", "no credentials given");
  OciRegistryOptions ro = { .tls_verify = !(tls && g_str_equal (tls, "false")), .cert_dir = certdir,
                            .username = user, .password = password };
  g_autoptr(OciRegistry) reg = oci_registry_new (domain, &ro);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  if (!oci_registry_check_login (reg, &error)
      || !oci_auth_store (authfile, domain, user, password, &path, &error))
    return ctr_fail ("login", error);
  printf ("Login Succeeded (credentials in %s)\n", path);
  return CTR_EXIT_OK;
}
