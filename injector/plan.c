/* SPDX-License-Identifier: MIT */
/* sockjail check: the resolved plan, as the supervisor will carry it out. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "common/util.h"
#include "injector/commands.h"
#include "injector/notify.h"
#include "injector/spec.h"
#include "injector/spec_policy.h"

static const char *type_name(enum spec_listen_type t)
{
        static const char *const names[] = {
                [SPEC_LISTEN_STREAM] = "stream",       [SPEC_LISTEN_DATAGRAM] = "datagram",
                [SPEC_LISTEN_SEQPACKET] = "seqpacket", [SPEC_LISTEN_NETLINK] = "netlink",
                [SPEC_LISTEN_FIFO] = "fifo",           [SPEC_LISTEN_SPECIAL] = "special",
                [SPEC_LISTEN_MQUEUE] = "mqueue",
        };
        return (size_t)t < ELEMENTSOF(names) ? names[t] : "?";
}

static const char *yes(bool b)
{
        return b ? "yes" : "no";
}

/* "2s", "1500ms", "infinity": whole seconds or milliseconds where they are exact. */
static const char *usec_text(uint64_t usec, char *buf, size_t size)
{
        if (usec == UINT64_MAX)
                snprintf(buf, size, "infinity");
        else if (usec % 1000000 == 0)
                snprintf(buf, size, "%llus", (unsigned long long)(usec / 1000000));
        else if (usec % 1000 == 0)
                snprintf(buf, size, "%llums", (unsigned long long)(usec / 1000));
        else
                snprintf(buf, size, "%lluus", (unsigned long long)usec);
        return buf;
}

static void print_listen(const struct spec_socket *u, const struct spec_listen *l, size_t fd,
                         FILE *out)
{
        static const char *const protocols[] = {
                [IPPROTO_UDPLITE] = " (udplite)", [IPPROTO_SCTP] = " (sctp)"};
        char buf[ADDR_FORMAT_MAX];
        int p = u->socket_protocol;
        bool ip = addr_family(&l->addr) == AF_INET || addr_family(&l->addr) == AF_INET6;

        if (!spec_listen_is_socket(l) ||
            addr_format(&l->addr.u.sa, l->addr.size, buf, sizeof(buf)) < 0)
                snprintf(buf, sizeof(buf), "%s", l->text);
        /* as sock_protocol(): udplite for datagram sockets, sctp for the others */
        if (!ip || (p == IPPROTO_UDPLITE) != (l->type == SPEC_LISTEN_DATAGRAM))
                p = 0;
        fprintf(out, "    fd %zu: %s%s %s\n", fd, type_name(l->type), p ? protocols[p] : "", buf);
}

/* A socket option's value, or "default" where the spec leaves the kernel's. */
static const char *opt_usec(uint64_t usec, char *buf, size_t size)
{
        return usec ? usec_text(usec, buf, size) : "default";
}

static const char *opt_int(int v, char *buf, size_t size)
{
        if (v < 0)
                return "default";
        snprintf(buf, size, "%d", v);
        return buf;
}

static const char *opt_u64(uint64_t v, char *buf, size_t size)
{
        if (v == 0)
                return "default";
        snprintf(buf, size, "%llu", (unsigned long long)v);
        return buf;
}

/* The socket options, on one line: groups the spec leaves alone are left out. */
static void print_options(const struct spec_socket *u, FILE *out)
{
        static const char *const ts[] = {"off", "us", "ns"};
        char a[32], b[32], c[32], d[32];

        fprintf(out, "    options:");
        if (u->keep_alive_time_usec || u->keep_alive_interval_usec || u->keep_alive_probes)
                fprintf(out,
                        " keep_alive_time_sec %s, keep_alive_interval_sec %s, "
                        "keep_alive_probes %s;",
                        opt_usec(u->keep_alive_time_usec, a, sizeof(a)),
                        opt_usec(u->keep_alive_interval_usec, b, sizeof(b)),
                        opt_u64(u->keep_alive_probes, c, sizeof(c)));
        if (u->defer_accept_usec)
                fprintf(out, " defer_accept_sec %s;",
                        usec_text(u->defer_accept_usec, a, sizeof(a)));
        if (u->priority >= 0 || u->so_mark >= 0 || u->ip_tos >= 0 || u->ip_ttl >= 0)
                fprintf(out, " priority %s, mark %s, ip_tos %s, ip_ttl %s;",
                        opt_int(u->priority, a, sizeof(a)), opt_int(u->so_mark, b, sizeof(b)),
                        opt_int(u->ip_tos, c, sizeof(c)), opt_int(u->ip_ttl, d, sizeof(d)));
        if (u->receive_buffer || u->send_buffer || u->pipe_size)
                fprintf(out, " receive_buffer %s, send_buffer %s, pipe_size %s;",
                        opt_u64(u->receive_buffer, a, sizeof(a)),
                        opt_u64(u->send_buffer, b, sizeof(b)), opt_u64(u->pipe_size, c, sizeof(c)));
        fprintf(out,
                " transparent %s, broadcast %s, pass_credentials %s, pass_security %s, "
                "pass_packet_info %s, timestamping %s",
                yes(u->transparent), yes(u->broadcast), yes(u->pass_credentials),
                yes(u->pass_security), yes(u->pass_packet_info), ts[u->timestamping]);
        if (u->tcp_congestion)
                fprintf(out, ", tcp_congestion %s", u->tcp_congestion);
        if (u->bind_to_device)
                fprintf(out, ", bind_to_device %s", u->bind_to_device);
        fprintf(out, "\n");
}

/* Files: writable, message queue sizes, symlinks; and the Accept= settings. */
static void print_files_and_accept(const struct spec_socket *u, FILE *out)
{
        char span[32];

        fprintf(out, "    writable %s", yes(u->writable));
        if (u->mq_max_messages)
                fprintf(out, ", message_queue_max_messages %llu, message_queue_message_size %llu",
                        (unsigned long long)u->mq_max_messages,
                        (unsigned long long)u->mq_message_size);
        for (size_t i = 0; u->symlinks && u->symlinks[i]; i++)
                fprintf(out, "%s%s", i ? " " : ", symlinks ", u->symlinks[i]);
        fprintf(out,
                "\n    accept %s, max_connections %u, max_connections_per_source %u, "
                "flush_pending %s\n",
                yes(u->accept), u->max_connections, u->max_connections_per_source,
                yes(u->flush_pending));
        fprintf(out, "    trigger_limit_interval_sec %s, trigger_limit_burst %u\n",
                usec_text(u->trigger_limit_interval_usec, span, sizeof(span)),
                u->trigger_limit_burst);
}

/* The unit's own commands, in the order they run. */
static void print_commands(const struct spec_socket *u, FILE *out)
{
        char span[32];
        bool any = false;

        for (int k = 0; k < SPEC_EXEC_N; k++)
                for (size_t j = 0; j < u->exec[k].n; j++) {
                        const struct spec_command *c = &u->exec[k].v[j];

                        fprintf(out, "    %s: %s (program %s%s)\n",
                                hook_phase_name((enum spec_exec)k), c->line, c->path,
                                c->ignore_failure ? ", failure ignored" : "");
                        any = true;
                }
        if (!any)
                return;
        hook_format_timespan(u->timeout_usec, span, sizeof(span));
        fprintf(out, "    commands run on the host, not sandboxed; timeout_sec %s\n", span);
}

static void print_socket(const struct spec_socket *u, size_t *fd, FILE *out)
{
        static const char *const v6[] = {"default", "both", "ipv6-only"};

        fprintf(out, "  %s (fd name %s):\n", u->name, u->fdname ?: u->name);
        for (size_t j = 0; j < u->n_listens; j++)
                print_listen(u, &u->listens[j], (*fd)++, out);
        fprintf(out, "    backlog %u, reuse_port %s, free_bind %s, bind_ipv6_only %s\n", u->backlog,
                yes(u->reuse_port), yes(u->free_bind), v6[u->bind_ipv6_only]);
        fprintf(out, "    no_delay %s, keep_alive %s\n", yes(u->no_delay), yes(u->keep_alive));
        print_options(u, out);
        fprintf(out, "    socket_mode %04o, directory_mode %04o, remove_on_stop %s\n",
                (unsigned)u->socket_mode, (unsigned)u->directory_mode, yes(u->remove_on_stop));
        print_files_and_accept(u, out);
        print_commands(u, out);
}

/* An exit status list as the spec writes it: codes, then signal names. */
static void print_exit_status(const char *what, const struct spec_exit_status *set, FILE *out)
{
        const char *sep = what; /* "" once something is printed */

        for (int code = 0; code < 256; code++)
                if (spec_exit_status_has(set, W_EXITCODE(code, 0))) {
                        fprintf(out, "%s %d", sep, code);
                        sep = "";
                }
        for (int sig = 1; sig <= 64; sig++)
                if (spec_exit_status_has(set, W_EXITCODE(0, sig))) {
                        if (sigabbrev_np(sig))
                                fprintf(out, "%s SIG%s", sep, sigabbrev_np(sig));
                        else
                                fprintf(out, "%s %d", sep, sig + 128);
                        sep = "";
                }
        if (!sep[0])
                fputc('\n', out);
}

/* systemd.service(5) and systemd.kill(5): restarts, start limit, timeouts, stopping. */
static void print_lifecycle(const struct spec_service *svc, FILE *out)
{
        char a[32], b[32];

        if (svc->restart == SPEC_RESTART_NO)
                fprintf(out, "  restart: no (sockjail ends with the service's status)\n");
        else
                fprintf(out,
                        "  restart: %s after %s; otherwise wait for traffic again; the sockets "
                        "stay open\n",
                        spec_restart_name(svc->restart),
                        usec_text(svc->restart_usec, a, sizeof(a)));
        print_exit_status("  success_exit_status:", &svc->success_exit_status, out);
        print_exit_status("  restart_prevent_exit_status:", &svc->restart_prevent_exit_status, out);
        print_exit_status("  restart_force_exit_status:", &svc->restart_force_exit_status, out);
        if (svc->start_limit_interval_usec && svc->start_limit_burst)
                fprintf(out, "  start limit: %u starts within %s\n", svc->start_limit_burst,
                        usec_text(svc->start_limit_interval_usec, a, sizeof(a)));
        else
                fprintf(out, "  start limit: none\n");
        fprintf(out, "  timeout_start_sec %s, timeout_stop_sec %s\n",
                svc->timeout_start_usec ? usec_text(svc->timeout_start_usec, a, sizeof(a))
                                        : "infinity",
                svc->timeout_stop_usec ? usec_text(svc->timeout_stop_usec, b, sizeof(b))
                                       : "infinity");
        fprintf(out, "  kill_mode %s: kill_signal SIG%s%s, final_kill_signal SIG%s\n",
                spec_kill_mode_name(svc->kill_mode), sigabbrev_np(svc->kill_signal) ?: "?",
                svc->send_sighup ? " and SIGHUP" : "", sigabbrev_np(svc->final_kill_signal) ?: "?");
}

/* type, notify_access (as in effect), watchdog_sec, file_descriptor_store_max. */
static void print_readiness(const struct spec_service *svc, FILE *out)
{
        uint64_t wd = svc->watchdog_usec == UINT64_MAX ? 0 : svc->watchdog_usec;
        unsigned max = svc->file_descriptor_store_max;
        enum spec_notify_access a = ntf_access_effective(svc->notify_access, svc->type, wd, max);
        bool unset = svc->notify_access == SPEC_NOTIFY_ACCESS_UNSET;

        fprintf(out, "  type: %s, notify_access: %s%s\n", ntf_type_name(svc->type),
                ntf_access_name(a), unset ? " (default)" : "");
        if (wd > 0)
                fprintf(out, "  watchdog_sec: %" PRIu64 "ms (WATCHDOG=1 pings, else SIGABRT)\n",
                        wd / 1000);
        else
                fprintf(out, "  watchdog_sec: off\n");
        fprintf(out, "  file_descriptor_store_max: %u%s\n", max, max ? "" : " (no fd store)");
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
        print_lifecycle(svc, out);
        print_readiness(svc, out);
}

static void print_paths(const char *what, char *const *paths, FILE *out)
{
        for (size_t i = 0; paths && paths[i]; i++)
                fprintf(out, "  %s: %s\n", what, paths[i]);
}

/* The file-system keys: protections, then the paths and mounts one a line. */
static void print_mounts(const struct ns_config *ns, FILE *out)
{
        fprintf(out, "  /dev: %s\n",
                ns->private_devices ? "private (read-only tmpfs: null zero full random urandom "
                                      "tty, pts, ptmx, shm, mqueue)"
                                    : "host");
        fprintf(out, "  protect_system: %s, protect_home: %s, protect_proc: %s\n",
                ns_protect_system_name(ns->protect_system), ns_protect_home_name(ns->protect_home),
                ns_protect_proc_name(ns->protect_proc));
        fprintf(out,
                "  protect_kernel_tunables: %s, protect_kernel_modules: %s, "
                "protect_kernel_logs: %s, protect_control_groups: %s\n",
                yes(ns->protect_kernel_tunables), yes(ns->protect_kernel_modules),
                yes(ns->protect_kernel_logs), yes(ns->protect_control_groups));
        print_paths("read-only", ns->read_only_paths, out);
        print_paths("read-write", ns->read_write_paths, out);
        print_paths("inaccessible", ns->inaccessible_paths, out);
        for (size_t i = 0; i < ns->n_binds; i++) {
                const struct ns_bind *b = &ns->binds[i];

                fprintf(out, "  bind: %s%s on %s (%s%s)\n", b->ignore_missing ? "-" : "", b->source,
                        b->destination, b->read_only ? "read-only, " : "",
                        b->recursive ? "rbind" : "norbind");
        }
        for (size_t i = 0; i < ns->n_tmpfs; i++)
                fprintf(out, "  tmpfs: %s%s%s\n", ns->tmpfs[i].path,
                        ns->tmpfs[i].options ? " with " : "", ns->tmpfs[i].options ?: "");
        if (ns->root_directory)
                fprintf(out, "  root directory: %s\n", ns->root_directory);
        if (ns->working_directory)
                fprintf(out, "  working directory: %s%s\n", ns->working_directory,
                        ns->working_directory_missing_ok ? " (if it exists)" : "");
}

static void print_sandbox(const struct ns_config *ns, FILE *out)
{
        fprintf(out, "sandbox:\n");
        fprintf(out, "  network: %s\n", ns->private_network ? "private (only lo, up)" : "host");
        fprintf(out, "  mounts: %s\n",
                ns_wants_mount_ns(ns) ? "private (no propagation to the host)" : "host");
        fprintf(out, "  /tmp, /var/tmp: %s\n", ns->private_tmp ? "private tmpfs" : "host");
        fprintf(out, "  pid: %s\n",
                ns->private_pid ? "private (service is pid 2, init is 1)" : "host");
        fprintf(out, "  ipc: %s\n", ns->private_ipc ? "private" : "host");
        fprintf(out, "  hostname: %s%s%s\n", ns->private_uts ? "private" : "host",
                ns->hostname ? ", set to " : "", ns->hostname ?: "");
        fprintf(out, "  users: %s\n",
                ns->private_users    ? "private (caller is root inside)"
                : ns->user_namespace ? "private (caller mapped to itself)"
                                     : "host");
        print_mounts(ns, out);
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
        spec_policy_print(s, out);
        return pol_describe(&s->pol, out) < 0 ? -EIO : (ferror(out) ? -EIO : 0);
}
