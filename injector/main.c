/* SPDX-License-Identifier: MIT */
/*
 * sockjail: the command line. The only place that prints errors and picks the
 * exit code: 2 for usage and spec errors, 1 for other failures, otherwise the
 * service's own status (128+N for a signal).
 */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/util.h"
#include "injector/acceptor.h"
#include "injector/commands.h"
#include "injector/convert.h"
#include "injector/guard.h"
#include "injector/notify.h"
#include "injector/sockets.h"
#include "injector/spec.h"
#include "injector/supervisor.h"

#define SOCKJAIL_VERSION "0.1.0"
#define EXIT_USAGE 2

static enum sup_level log_level = SUP_INFO;

_printf_(2, 3) static void log_line(enum sup_level level, const char *fmt, ...)
{
        va_list ap;

        if (level > log_level)
                return;
        fputs("sockjail: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

static void help(FILE *out)
{
        fputs("Usage:\n"
              "  sockjail run [OPTIONS] SPEC [-- CMD ARGS...]\n"
              "  sockjail run [OPTIONS] -l ADDR [-l ADDR...] -- CMD ARGS...\n"
              "  sockjail check SPEC\n"
              "  sockjail convert UNIT.socket [UNIT.service]\n"
              "  sockjail version\n"
              "\n"
              "Run a network service in its own namespaces with only the sockets it serves,\n"
              "passed as fds 3, 4, ... (sd_listen_fds), or on stdin/stdout (inetd style).\n"
              "\n"
              "Commands:\n"
              "  run SPEC         create SPEC's sockets, then start the service sandboxed\n"
              "                   (CMD ARGS after -- replace service.exec)\n"
              "  check SPEC       validate SPEC and print the resolved plan\n"
              "  convert UNIT.socket [UNIT.service]\n"
              "                   print the spec of a systemd socket unit and its service\n"
              "  version          print the version\n"
              "\n"
              "Options of run without a spec (like systemd-socket-activate):\n"
              "  -l, --listen=ADDR        listen on ADDR (port, v.w.x.y:port, [ipv6]:port,\n"
              "                           /path, @abstract, vsock:cid:port); repeatable\n"
              "      --datagram           datagram sockets instead of stream sockets\n"
              "      --seqpacket          sequential packet sockets (unix only)\n"
              "      --fdname=NAME[:NAME...]  fd names (default: listen)\n"
              "      --inetd              the socket on stdin/stdout, no LISTEN_FDS\n"
              "  -a, --accept             one instance per connection (Accept=yes): the\n"
              "                           connection as fd 3, or on stdin/stdout with --inetd\n"
              "  -E, --setenv=VAR[=VAL]   add VAR to the service's environment (its value\n"
              "                           from sockjail's environment when =VAL is missing)\n"
              "      --now                start at once instead of on the first traffic\n"
              "\n"
              "Options of run:\n"
              "      --ready-fd=N         write a JSON line to fd N when the sockets listen\n"
              "                           (with the addresses bound) and when the service\n"
              "                           is ready\n"
              "      --print-ready        the same on stdout\n"
              "\n"
              "Options:\n"
              "  -q, --quiet              print errors only\n"
              "  -v, --verbose            print more about what happens\n"
              "  -h, --help               print this help\n"
              "      --version            print the version\n"
              "\n"
              "Exit status: the service's own (128+N when killed by signal N); 2 for a\n"
              "usage or spec error; 1 for any other failure.\n"
              "See sockjail(1) and sockjail.yaml(5).\n",
              out);
}

/* fds 0-2 must exist, or the first socket would become someone's stdout. */
static int ensure_std_fds(void)
{
        for (int fd = 0; fd < 3; fd++) {
                struct stat st;

                if (fstat(fd, &st) == 0)
                        continue;
                int n = open("/dev/null", O_RDWR);
                if (n < 0)
                        return negative_errno();
                if (n != fd) {
                        safe_close(n);
                        return -EBADF;
                }
        }
        return 0;
}

struct run_opts {
        const char **listens;
        size_t n_listens;
        const char *fdnames;
        enum spec_listen_type type;
        bool inetd;
        bool accept;
        bool now;
        int ready_fd; /* --ready-fd, --print-ready; -1: none */
        char **env;
        size_t n_env;
};

static int push(const char ***v, size_t *n, const char *s)
{
        const char **nv = reallocarray(*v, *n + 1, sizeof(char *));

        if (!nv)
                return -ENOMEM;
        nv[(*n)++] = s;
        *v = nv;
        return 0;
}

/* --ready-fd N: an open fd, kept from the service and the commands (CLOEXEC). */
static int parse_ready_fd(const char *s, int *ret)
{
        char *end;
        long fd;

        errno = 0;
        fd = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || fd < 0 || fd > INT32_MAX ||
            fcntl((int)fd, F_GETFD) < 0) {
                fprintf(stderr, "sockjail: --ready-fd takes an open fd, not '%s'\n", s);
                return -EINVAL;
        }
        if (fd > STDERR_FILENO)
                (void)fcntl((int)fd, F_SETFD, FD_CLOEXEC);
        *ret = (int)fd;
        return 0;
}

static int parse_run_opts(int argc, char **argv, struct run_opts *o)
{
        enum {
                OPT_DATAGRAM = 256,
                OPT_SEQPACKET,
                OPT_FDNAME,
                OPT_INETD,
                OPT_NOW,
                OPT_READY_FD,
                OPT_PRINT_READY,
        };
        static const struct option opts[] = {
                {"listen", required_argument, NULL, 'l'},
                {"datagram", no_argument, NULL, OPT_DATAGRAM},
                {"seqpacket", no_argument, NULL, OPT_SEQPACKET},
                {"fdname", required_argument, NULL, OPT_FDNAME},
                {"inetd", no_argument, NULL, OPT_INETD},
                {"setenv", required_argument, NULL, 'E'},
                {"now", no_argument, NULL, OPT_NOW},
                {"accept", no_argument, NULL, 'a'},
                {"ready-fd", required_argument, NULL, OPT_READY_FD},
                {"print-ready", no_argument, NULL, OPT_PRINT_READY},
                {"quiet", no_argument, NULL, 'q'},
                {"verbose", no_argument, NULL, 'v'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        int c;

        while ((c = getopt_long(argc, argv, "+l:aE:qvh", opts, NULL)) >= 0) {
                int r = 0;

                switch (c) {
                case 'l':
                        r = push(&o->listens, &o->n_listens, optarg);
                        break;
                case OPT_DATAGRAM:
                        o->type = SPEC_LISTEN_DATAGRAM;
                        break;
                case OPT_SEQPACKET:
                        o->type = SPEC_LISTEN_SEQPACKET;
                        break;
                case OPT_FDNAME:
                        o->fdnames = optarg;
                        break;
                case OPT_INETD:
                        o->inetd = true;
                        break;
                case 'E':
                        r = push((const char ***)&o->env, &o->n_env, optarg);
                        break;
                case OPT_NOW:
                        o->now = true;
                        break;
                case OPT_READY_FD:
                        r = parse_ready_fd(optarg, &o->ready_fd);
                        break;
                case OPT_PRINT_READY:
                        o->ready_fd = STDOUT_FILENO;
                        break;
                case 'a':
                        o->accept = true;
                        break;
                case 'q':
                        log_level = SUP_ERROR;
                        break;
                case 'v':
                        log_level = SUP_DEBUG;
                        break;
                case 'h':
                        help(stdout);
                        exit(EXIT_SUCCESS);
                default:
                        return -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The name of the i-th of --fdname's colon-separated names; the last one repeats. */
static int fdname_at(const char *names, size_t i, char *buf, size_t size)
{
        const char *p = names;

        for (; i > 0 && strchr(p, ':'); i--)
                p = strchr(p, ':') + 1;
        snprintf(buf, size, "%.*s", (int)strcspn(p, ":"), p);
        return buf[0] ? 0 : -EINVAL;
}

static int env_item(const char *item, char **ret)
{
        const char *val;

        if (strchr(item, '=')) {
                *ret = strdup(item);
        } else {
                val = getenv(item);
                if (asprintf(ret, "%s=%s", item, val ?: "") < 0)
                        *ret = NULL;
        }
        return *ret ? 0 : -ENOMEM;
}

/* Turn the shorthand's options into the same spec a file would give. */
static int spec_from_opts(struct spec *s, const struct run_opts *o, struct spec_error *err)
{
        char name[256];
        int r;

        for (size_t i = 0; i < o->n_listens; i++) {
                if (o->fdnames && fdname_at(o->fdnames, i, name, sizeof(name)) < 0) {
                        snprintf(err->message, sizeof(err->message), "sockjail: empty --fdname");
                        return -EINVAL;
                }
                r = spec_add_listen(s, o->fdnames ? name : "listen", o->type, o->listens[i], err);
                if (r < 0)
                        return r;
        }
        if (o->inetd)
                s->service.standard_input = SPEC_STDIO_SOCKET;
        for (size_t i = 0; o->accept && i < s->n_sockets; i++)
                s->sockets[i].accept = true;
        if (o->now)
                s->service.start = SPEC_START_IMMEDIATE;
        s->service.environment = calloc(o->n_env + 1, sizeof(char *));
        if (!s->service.environment)
                return -ENOMEM;
        for (size_t i = 0; i < o->n_env; i++)
                if ((r = env_item(o->env[i], &s->service.environment[i])) < 0)
                        return r;
        return 0;
}

/* Apply the run options that also make sense with a spec. */
static int spec_apply_opts(struct spec *s, const struct run_opts *o, struct spec_error *err)
{
        if (o->n_listens > 0 || o->inetd || o->accept || o->fdnames || o->n_env > 0 ||
            o->type != SPEC_LISTEN_STREAM) {
                snprintf(err->message, sizeof(err->message),
                         "%s: -l, --inetd, --accept, --fdname, --datagram and -E go without a spec",
                         s->path);
                return -EINVAL;
        }
        if (o->now)
                s->service.start = SPEC_START_IMMEDIATE;
        return 0;
}

static int build_spec(struct spec *s, int argc, char **argv, const struct run_opts *o,
                      struct spec_error *err)
{
        /* getopt_long consumed a "--" right before optind: no SPEC, only CMD. */
        bool dashdash = optind > 1 && streq(argv[optind - 1], "--");
        int r, i = optind;

        if (i < argc && !dashdash && !streq(argv[i], "--")) {
                r = spec_load(s, argv[i++], err);
                if (r < 0)
                        return r;
                r = spec_apply_opts(s, o, err);
        } else if (o->n_listens > 0) {
                r = spec_from_opts(s, o, err);
        } else {
                snprintf(err->message, sizeof(err->message),
                         "sockjail: run needs a SPEC or at least one -l ADDR");
                return -EINVAL;
        }
        if (r < 0)
                return r;
        if (i < argc && streq(argv[i], "--"))
                i++;
        if (i < argc && (r = spec_set_exec(s, argv + i, err)) < 0)
                return r;
        return spec_finish(s, err);
}

static int exit_for_spec_error(int r, const struct spec_error *err)
{
        fprintf(stderr, "%s\n", err->message[0] ? err->message : strerror(-r));
        return r == -EINVAL ? EXIT_USAGE : EXIT_FAILURE;
}

static void print_sock_error(int r, const struct sock_error *e)
{
        char buf[ADDR_FORMAT_MAX];

        if (!e->listen ||
            addr_format(&e->listen->addr.u.sa, e->listen->addr.size, buf, sizeof(buf)) < 0)
                snprintf(buf, sizeof(buf), "%s", e->listen ? e->listen->text : "?");
        log_line(SUP_ERROR, "%s %s: %s%s%s%s", e->step ?: "open", buf, strerror(-r),
                 e->why[0] ? " (" : "", e->why, e->why[0] ? ")" : "");
        if (r == -EACCES && e->step && streq(e->step, "bind") && e->listen &&
            addr_family(&e->listen->addr) != AF_UNIX)
                log_line(SUP_ERROR, "ports below net.ipv4.ip_unprivileged_port_start need "
                                    "root or CAP_NET_BIND_SERVICE");
}

/* Readiness and the notify socket, made before the sandbox (it binds the socket in). */
static int notify_open(struct spec *s, int ready_fd, struct ntf **ret)
{
        const char *what = NULL;
        struct ntf *n = NULL;
        int r = ntf_new(s, log_line, &n);

        if (r >= 0) {
                ntf_set_ready_fd(n, ready_fd);
                r = ntf_open(n, s, &what);
        }
        if (r < 0) {
                log_line(SUP_ERROR, "%s: %s", what ?: "notify", strerror(-r));
                ntf_free(n);
                return r;
        }
        *ret = n;
        return 0;
}

static int cmd_run(int argc, char **argv)
{
        struct run_opts o = {.type = SPEC_LISTEN_STREAM, .ready_fd = -1};
        struct spec_error err = {{0}};
        struct sock_set set = {0};
        struct sock_error serr;
        struct guard guard = {.fd = -1, .pid = -1};
        struct hook_run hooks;
        struct spec s;
        struct sup_params sp = {.spec = &s, .sockets = &set, .log = log_line};
        char msg[512];
        int r, code = EXIT_FAILURE;

        r = spec_init(&s);
        if (r >= 0 && (r = parse_run_opts(argc, argv, &o)) < 0)
                code = EXIT_USAGE;
        else if (r >= 0 && (r = build_spec(&s, argc, argv, &o, &err)) < 0)
                code = exit_for_spec_error(r, &err);
        free(o.listens);
        free(o.env);
        if (r >= 0 && (r = notify_open(&s, o.ready_fd, &sp.notify)) < 0)
                code = EXIT_FAILURE;
        if (r < 0) {
                spec_done(&s);
                return code;
        }
        /* The socket units' own commands run where systemd runs them (commands.h). */
        hook_init(&hooks, &s, log_line);
        r = hook_run_phase(&hooks, SPEC_EXEC_START_PRE);
        if (r == 0 && (r = sock_open_all(&s, &set, &serr)) < 0)
                print_sock_error(r, &serr);
        /* once the sockets listen: clients queue while the filter compiles */
        if (r == 0 && (r = spec_compile_filter(&s, &err)) < 0)
                log_line(SUP_ERROR, "%s", err.message);
        if (r == 0) /* removes remove_on_stop files should sockjail be SIGKILLed */
                guard_start(&set, &guard);
        if (r == 0)
                r = hook_run_phase(&hooks, SPEC_EXEC_START_POST);
        if (r == 0)
                (void)ntf_listening(sp.notify, &set);
        if (r == 0 && (r = (s.accept ? acc_run : sup_run)(&sp, &code, msg, sizeof(msg))) < 0)
                log_line(SUP_ERROR, "%s", msg);
        if (r != 0) /* r > 0: a stop signal came during a start command */
                code = r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        (void)hook_run_phase(&hooks, SPEC_EXEC_STOP_PRE);
        /* A failed start leaves nothing behind; a normal stop honours remove_on_stop. */
        sock_close_all(&set, true, r < 0);
        guard_release(&guard);
        (void)hook_run_phase(&hooks, SPEC_EXEC_STOP_POST);
        ntf_free(sp.notify);
        spec_done(&s);
        return code;
}

static int cmd_check(int argc, char **argv)
{
        struct spec_error err = {{0}};
        struct spec s;
        int r;

        if (argc != 2) {
                fprintf(stderr, "Usage: sockjail check SPEC\n");
                return EXIT_USAGE;
        }
        r = spec_init(&s);
        if (r >= 0)
                r = spec_load(&s, argv[1], &err);
        if (r >= 0)
                r = spec_finish(&s, &err);
        if (r < 0) {
                spec_done(&s);
                return exit_for_spec_error(r, &err);
        }
        r = spec_print(&s, stdout);
        spec_done(&s);
        return r < 0 || fflush(stdout) != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Print the spec of a socket unit; what cannot be carried over is a comment in it. */
static int cmd_convert(int argc, char **argv)
{
        _cleanup_free_ char *yaml = NULL, *failed = NULL;
        int r;

        if (argc < 2 || argc > 3 || argv[1][0] == '-') {
                fprintf(stderr, "Usage: sockjail convert UNIT.socket [UNIT.service]\n");
                return EXIT_USAGE;
        }
        r = conv_paths(argv[1], argc > 2 ? argv[2] : NULL, &yaml, &failed);
        if (r < 0) {
                log_line(SUP_ERROR, "%s: %s", failed ?: argv[1], strerror(-r));
                return EXIT_FAILURE;
        }
        fputs(yaml, stdout);
        return fflush(stdout) != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
        const char *cmd = argc > 1 ? argv[1] : NULL;

        if (ensure_std_fds() < 0)
                return EXIT_FAILURE;
        (void)signal(SIGPIPE, SIG_IGN);
        if (!cmd) {
                help(stderr);
                return EXIT_USAGE;
        }
        if (streq(cmd, "-h") || streq(cmd, "--help") || streq(cmd, "help")) {
                help(stdout);
                return EXIT_SUCCESS;
        }
        if (streq(cmd, "version") || streq(cmd, "--version")) {
                printf("sockjail %s\n", SOCKJAIL_VERSION);
                return EXIT_SUCCESS;
        }
        if (streq(cmd, "run"))
                return cmd_run(argc - 1, argv + 1);
        if (streq(cmd, "check"))
                return cmd_check(argc - 1, argv + 1);
        if (streq(cmd, "convert"))
                return cmd_convert(argc - 1, argv + 1);
        fprintf(stderr, "sockjail: unknown command '%s' (see sockjail --help)\n", cmd);
        return EXIT_USAGE;
}
