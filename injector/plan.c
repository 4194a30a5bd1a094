/* SPDX-License-Identifier: MIT */
/* sockjail check: the resolved plan, as the supervisor will carry it out. */
#include <stdio.h>

#include "common/util.h"
#include "injector/spec.h"

static const char *type_name(enum spec_listen_type t)
{
        return t == SPEC_LISTEN_DATAGRAM    ? "datagram"
               : t == SPEC_LISTEN_SEQPACKET ? "seqpacket"
                                            : "stream";
}

static const char *yes(bool b)
{
        return b ? "yes" : "no";
}

static void print_socket(const struct spec_socket *u, size_t *fd, FILE *out)
{
        static const char *const v6[] = {"default", "both", "ipv6-only"};

        fprintf(out, "  %s (fd name %s):\n", u->name, u->fdname ?: u->name);
        for (size_t j = 0; j < u->n_listens; j++) {
                const struct spec_listen *l = &u->listens[j];
                char buf[ADDR_FORMAT_MAX];

                if (addr_format(&l->addr.u.sa, l->addr.size, buf, sizeof(buf)) < 0)
                        snprintf(buf, sizeof(buf), "%s", l->text);
                fprintf(out, "    fd %zu: %s %s\n", (*fd)++, type_name(l->type), buf);
        }
        fprintf(out, "    backlog %u, reuse_port %s, free_bind %s, bind_ipv6_only %s\n", u->backlog,
                yes(u->reuse_port), yes(u->free_bind), v6[u->bind_ipv6_only]);
        fprintf(out, "    no_delay %s, keep_alive %s\n", yes(u->no_delay), yes(u->keep_alive));
        fprintf(out, "    socket_mode %04o, directory_mode %04o, remove_on_stop %s\n",
                (unsigned)u->socket_mode, (unsigned)u->directory_mode, yes(u->remove_on_stop));
}

static void print_service(const struct spec *s, FILE *out)
{
        static const char *const stdio[] = {"inherit", "null", "socket", "journal"};
        const struct spec_service *svc = &s->service;

        fprintf(out, "service:\n  exec:");
        for (size_t i = 0; svc->exec && svc->exec[i]; i++)
                fprintf(out, " %s", svc->exec[i]);
        fprintf(out, "\n  program: %s\n", svc->exec_path ?: "(unresolved)");
        fprintf(out, "  start: %s\n",
                svc->start == SPEC_START_ON_DEMAND ? "on-demand (first traffic)" : "immediate");
        fprintf(out, "  standard_input: %s, standard_output: %s\n", stdio[svc->standard_input],
                svc->standard_input == SPEC_STDIO_SOCKET &&
                                svc->standard_output == SPEC_STDIO_INHERIT
                        ? "socket"
                        : stdio[svc->standard_output]);
        fprintf(out, "  protocol: %s\n",
                svc->standard_input == SPEC_STDIO_SOCKET ? "inetd (socket on stdin/stdout)"
                : svc->upstart_events                    ? "sd_listen_fds + upstart socket event"
                                      : "sd_listen_fds (LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES)");
        for (size_t i = 0; svc->environment && svc->environment[i]; i++)
                fprintf(out, "  environment: %s\n", svc->environment[i]);
}

static void print_sandbox(const struct ns_config *ns, FILE *out)
{
        fprintf(out, "sandbox:\n");
        fprintf(out, "  network: %s\n", ns->private_network ? "private (only lo, up)" : "host");
        fprintf(out, "  mounts: %s\n",
                ns->private_mounts || ns->private_tmp ? "private (no propagation to the host)"
                                                      : "host");
        fprintf(out, "  /tmp, /var/tmp: %s\n", ns->private_tmp ? "private tmpfs" : "host");
        fprintf(out, "  pid: %s\n",
                ns->private_pid ? "private (service is pid 2, init is 1)" : "host");
        fprintf(out, "  ipc: %s\n", ns->private_ipc ? "private" : "host");
        fprintf(out, "  hostname: %s\n", ns->private_uts ? "private" : "host");
        fprintf(out, "  users: %s\n",
                ns->private_users    ? "private (caller is root inside)"
                : ns->user_namespace ? "private (caller mapped to itself)"
                                     : "host");
}

int spec_print(const struct spec *s, FILE *out)
{
        size_t fd = 3;

        fprintf(out, "spec: %s\n", s->path ?: "(command line)");
        fprintf(out, "sockets: %zu fd(s)\n", spec_n_fds(s));
        for (size_t i = 0; i < s->n_sockets; i++)
                print_socket(&s->sockets[i], &fd, out);
        print_service(s, out);
        print_sandbox(&s->ns, out);
        fprintf(out, "policy:\n");
        if (s->user)
                fprintf(out, "  user: %s%s%s\n", s->user, s->group ? ", group: " : "",
                        s->group ?: "");
        else
                fprintf(out, "  user: the invoking user (uid %u)\n", (unsigned)geteuid());
        return pol_describe(&s->pol, out) < 0 ? -EIO : (ferror(out) ? -EIO : 0);
}
