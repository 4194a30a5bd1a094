/* SPDX-License-Identifier: MIT */
/*
 * The seccomp side of the policy: resolve systemd-style SystemCallFilter=
 * entries into one action per syscall, compile them with libseccomp for the
 * native architecture and those system_call_architectures adds, and export
 * the BPF before fork so the child only has to hand a ready program to the
 * kernel.
 *
 * The filter and the argument restrictions (restrict.c) go into one
 * program, one libseccomp context per architecture merged into one, since
 * a restriction is not spelled the same way everywhere (x86 multiplexes its
 * socket calls). Interface ioctls and system_call_log are programs of their
 * own, stacked on it.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "common/util.h"
#include "policy/groups.h"
#include "policy/landlock.h"
#include "policy/pol.h"
#include "policy/process.h"
#include "policy/restrict.h"

struct pol_filter {
        struct sock_filter *insns;
        size_t n_insns;
        struct pol_filter *next; /* a second program, stacked on the first */
};

/* Actions as the resolver sees them: >= 0 is an errno to return. */
enum {
        ACT_ALLOW = -1,
        ACT_DENY = -2, /* system_call_error_number, or kill when that is 0 */
        ACT_KILL = -3,
};

struct sc_entry {
        int nr;
        int act;
        char name[40];
};

/* The resolved filter: one entry per syscall mentioned, in order of first mention. */
struct sc_table {
        struct sc_entry *v;
        size_t n;
        size_t cap;
        bool allow_list;
        bool foreign; /* other ABIs too: keep names only they have (pseudo numbers here) */
};

static void sc_table_done(struct sc_table *t)
{
        free(t->v);
        *t = (struct sc_table){0};
}

/* ---- errno names ---- */

#define E(x)                                                                                       \
        {                                                                                          \
#x, x                                                                              \
        }
static const struct {
        const char *name;
        int num;
} errno_names[] = {
        /* canonical names first: pol_errno_to_name returns the first match */
        E(EPERM),
        E(ENOENT),
        E(ESRCH),
        E(EINTR),
        E(EIO),
        E(ENXIO),
        E(E2BIG),
        E(ENOEXEC),
        E(EBADF),
        E(ECHILD),
        E(EAGAIN),
        E(ENOMEM),
        E(EACCES),
        E(EFAULT),
        E(ENOTBLK),
        E(EBUSY),
        E(EEXIST),
        E(EXDEV),
        E(ENODEV),
        E(ENOTDIR),
        E(EISDIR),
        E(EINVAL),
        E(ENFILE),
        E(EMFILE),
        E(ENOTTY),
        E(ETXTBSY),
        E(EFBIG),
        E(ENOSPC),
        E(ESPIPE),
        E(EROFS),
        E(EMLINK),
        E(EPIPE),
        E(EDOM),
        E(ERANGE),
        E(EDEADLK),
        E(ENAMETOOLONG),
        E(ENOLCK),
        E(ENOSYS),
        E(ENOTEMPTY),
        E(ELOOP),
        E(ENOMSG),
        E(EIDRM),
        E(ECHRNG),
        E(EL2NSYNC),
        E(EL3HLT),
        E(EL3RST),
        E(ELNRNG),
        E(EUNATCH),
        E(ENOCSI),
        E(EL2HLT),
        E(EBADE),
        E(EBADR),
        E(EXFULL),
        E(ENOANO),
        E(EBADRQC),
        E(EBADSLT),
        E(EBFONT),
        E(ENOSTR),
        E(ENODATA),
        E(ETIME),
        E(ENOSR),
        E(ENONET),
        E(ENOPKG),
        E(EREMOTE),
        E(ENOLINK),
        E(EADV),
        E(ESRMNT),
        E(ECOMM),
        E(EPROTO),
        E(EMULTIHOP),
        E(EDOTDOT),
        E(EBADMSG),
        E(EOVERFLOW),
        E(ENOTUNIQ),
        E(EBADFD),
        E(EREMCHG),
        E(ELIBACC),
        E(ELIBBAD),
        E(ELIBSCN),
        E(ELIBMAX),
        E(ELIBEXEC),
        E(EILSEQ),
        E(ERESTART),
        E(ESTRPIPE),
        E(EUSERS),
        E(ENOTSOCK),
        E(EDESTADDRREQ),
        E(EMSGSIZE),
        E(EPROTOTYPE),
        E(ENOPROTOOPT),
        E(EPROTONOSUPPORT),
        E(ESOCKTNOSUPPORT),
        E(EOPNOTSUPP),
        E(EPFNOSUPPORT),
        E(EAFNOSUPPORT),
        E(EADDRINUSE),
        E(EADDRNOTAVAIL),
        E(ENETDOWN),
        E(ENETUNREACH),
        E(ENETRESET),
        E(ECONNABORTED),
        E(ECONNRESET),
        E(ENOBUFS),
        E(EISCONN),
        E(ENOTCONN),
        E(ESHUTDOWN),
        E(ETOOMANYREFS),
        E(ETIMEDOUT),
        E(ECONNREFUSED),
        E(EHOSTDOWN),
        E(EHOSTUNREACH),
        E(EALREADY),
        E(EINPROGRESS),
        E(ESTALE),
        E(EUCLEAN),
        E(ENOTNAM),
        E(ENAVAIL),
        E(EISNAM),
        E(EREMOTEIO),
        E(EDQUOT),
        E(ENOMEDIUM),
        E(EMEDIUMTYPE),
        E(ECANCELED),
        E(ENOKEY),
        E(EKEYEXPIRED),
        E(EKEYREVOKED),
        E(EKEYREJECTED),
        E(EOWNERDEAD),
        E(ENOTRECOVERABLE),
        E(ERFKILL),
        E(EHWPOISON),
        /* aliases */
        E(EWOULDBLOCK),
        E(EDEADLOCK),
        E(ENOTSUP),
};
#undef E

/* systemd accepts an errno by name or as a number in 0..4095. */
int pol_errno_from_name(const char *name)
{
        if (!name || !*name)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(errno_names); i++)
                if (streq(errno_names[i].name, name))
                        return errno_names[i].num;
        if (name[0] < '0' || name[0] > '9' || strlen(name) > 4)
                return -EINVAL;

        char *end;
        unsigned long v = strtoul(name, &end, 10);
        if (*end || v > 4095)
                return -EINVAL;
        return (int)v;
}

static const char *errno_to_name(int err)
{
        for (size_t i = 0; i < ELEMENTSOF(errno_names); i++)
                if (errno_names[i].num == err)
                        return errno_names[i].name;
        return NULL;
}

/* ---- resolving entries into the table ---- */

static struct sc_entry *sc_table_get(const struct sc_table *t, int nr)
{
        for (size_t i = 0; i < t->n; i++)
                if (t->v[i].nr == nr)
                        return &t->v[i];
        return NULL;
}

static int sc_table_set(struct sc_table *t, int nr, const char *name, int act)
{
        struct sc_entry *e = sc_table_get(t, nr);

        if (e) {
                e->act = act; /* later entries override earlier ones, as in systemd */
                return 0;
        }
        if (strlen(name) >= sizeof(e->name))
                return -ENAMETOOLONG;
        if (t->n == t->cap) {
                size_t cap = t->cap ? t->cap * 2 : 256;
                struct sc_entry *v = reallocarray(t->v, cap, sizeof(*v));
                if (!v)
                        return -ENOMEM;
                t->v = v;
                t->cap = cap;
        }
        e = &t->v[t->n++];
        *e = (struct sc_entry){.nr = nr, .act = act};
        snprintf(e->name, sizeof(e->name), "%s", name);
        return 0;
}

/*
 * Names from a group that the running libseccomp does not know for this
 * architecture are skipped (the groups span all architectures and kernels);
 * so are known names that do not exist here (negative pseudo numbers),
 * unless another ABI is allowed, where they may (mmap2, socketcall).
 */
static int set_syscall(struct sc_table *t, const char *name, int act, bool explicit)
{
        int nr = seccomp_syscall_resolve_name(name);

        if (nr == __NR_SCMP_ERROR)
                return explicit ? -EINVAL : 0;
        if (nr < 0 && !t->foreign)
                return 0;
        return sc_table_set(t, nr, name, act);
}

static int expand_group(struct sc_table *t, const struct pol_group *g, int act, bool *seen)
{
        size_t idx = (size_t)(g - pol_groups);

        /* The generated table has no cycles, but never trust data to end recursion. */
        if (seen[idx])
                return 0;
        seen[idx] = true;

        for (const char *p = g->members; *p;) {
                char word[64];
                size_t len = strcspn(p, " ");

                if (len == 0 || len >= sizeof(word))
                        return -EINVAL;
                snprintf(word, sizeof(word), "%.*s", (int)len, p);
                p += len + (p[len] == ' ');

                const struct pol_group *sub;
                int r;
                if (word[0] != '@')
                        r = set_syscall(t, word, act, false);
                else if ((sub = pol_group_find(word)))
                        r = expand_group(t, sub, act, seen);
                else
                        r = -EINVAL;
                if (r < 0)
                        return r;
        }
        return 0;
}

static int set_name(struct sc_table *t, const char *name, int act)
{
        if (name[0] != '@')
                return set_syscall(t, name, act, true);

        const struct pol_group *g = pol_group_find(name);
        if (!g)
                return -EINVAL;

        bool *seen = calloc(pol_n_groups, sizeof(bool));
        if (!seen)
                return -ENOMEM;
        int r = expand_group(t, g, act, seen);
        free(seen);
        return r;
}

/* "kill" or an errno after the colon; only a denying word may carry one. */
static int parse_word_action(bool deny, const char *suffix, int *ret_act)
{
        int r;

        if (!deny) {
                *ret_act = ACT_ALLOW;
                return suffix ? -EINVAL : 0;
        }
        if (!suffix)
                r = ACT_DENY;
        else if (streq(suffix, "kill"))
                r = ACT_KILL;
        else if ((r = pol_errno_from_name(suffix)) < 0)
                return r;
        *ret_act = r;
        return 0;
}

/*
 * One word of an entry, len bytes at word. The action is absolute: in an
 * allow list "~name" denies name again, in a deny list a plain "name"
 * allows it again.
 */
static int apply_word(struct sc_table *t, const char *word, size_t len, bool deny)
{
        char buf[128]; /* no syscall, group or errno name comes near this */
        int act, r;

        if (len >= sizeof(buf))
                return -EINVAL;
        snprintf(buf, sizeof(buf), "%.*s", (int)len, word);

        char *colon = strchr(buf, ':');
        if (colon)
                *colon++ = 0;
        r = parse_word_action(deny, colon, &act);
        if (r < 0)
                return r;
        if (!buf[0])
                return -EINVAL;
        return set_name(t, buf, act);
}

#define BLANKS " \t\n"

static int apply_entry(struct sc_table *t, const char *entry, char **ret_bad_word)
{
        bool deny = entry[0] == '~';

        for (const char *p = entry + deny + strspn(entry + deny, BLANKS); *p;) {
                size_t len = strcspn(p, BLANKS);
                int r = apply_word(t, p, len, deny);

                if (r == -EINVAL && ret_bad_word)
                        *ret_bad_word = strndup(p, len);
                if (r < 0)
                        return r;
                p += len;
                p += strspn(p, BLANKS);
        }
        return 0;
}

/* ---- syscalls whose arguments the restrictions look at ---- */

/* A restricted syscall the filter does not mention still needs its rules. */
static int add_specials(struct sc_table *t, const struct pol_config *c)
{
        size_t n;
        const struct pol_special_call *calls = pol_special_calls(&n);

        for (size_t i = 0; i < n; i++) {
                int nr = seccomp_syscall_resolve_name(calls[i].name);

                if (nr == __NR_SCMP_ERROR || (nr < 0 && !t->foreign) ||
                    calls[i].kind == SPECIAL_SOCKETCALL || !pol_special_active(c, calls[i].kind) ||
                    sc_table_get(t, nr))
                        continue;
                int r = sc_table_set(t, nr, calls[i].name, t->allow_list ? ACT_DENY : ACT_ALLOW);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int sc_table_resolve(struct sc_table *t, const struct pol_config *c, size_t *ret_bad_entry,
                            char **ret_bad_word)
{
        int r;

        t->foreign = c->n_architectures > 0;
        t->allow_list = c->n_system_call_filter > 0 && c->system_call_filter[0][0] != '~';
        /* systemd always allows @default (execve, exit, time, ...) under an allow list. */
        if (t->allow_list && (r = set_name(t, "@default", ACT_ALLOW)) < 0)
                return r;
        for (size_t i = 0; i < c->n_system_call_filter; i++) {
                r = apply_entry(t, c->system_call_filter[i], ret_bad_word);
                if (r == -EINVAL && ret_bad_entry)
                        *ret_bad_entry = i;
                if (r < 0)
                        return r;
        }
        return add_specials(t, c);
}

/* systemd's architecture names, those an x86-64 kernel runs. */
static const struct {
        const char *name;
        uint32_t token;
} arch_names[] = {
        {"x86-64", SCMP_ARCH_X86_64},
        {"x86", SCMP_ARCH_X86},
        {"x32", SCMP_ARCH_X32},
};

static const char *arch_name(uint32_t token)
{
        if (token == seccomp_arch_native())
                return "native";
        for (size_t i = 0; i < ELEMENTSOF(arch_names); i++)
                if (arch_names[i].token == token)
                        return arch_names[i].name;
        return NULL;
}

int64_t pol_architecture_from_name(const char *name)
{
        if (!name)
                return -EINVAL;
        if (streq(name, "native"))
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(arch_names); i++)
                if (streq(arch_names[i].name, name))
                        return arch_names[i].token == seccomp_arch_native() ? 0
                                                                            : arch_names[i].token;
        return -EINVAL;
}

static int check_config(const struct pol_config *c)
{
        if (c->system_call_error_number < 0 || c->system_call_error_number > 4095)
                return -EINVAL;
        if (c->n_families > 0 && !c->families)
                return -EINVAL;
        for (size_t i = 0; i < c->n_families; i++)
                if (c->families[i] < 0 || c->families[i] >= AF_MAX)
                        return -EINVAL;
        for (size_t i = 0; i < c->n_system_call_filter; i++)
                if (!c->system_call_filter[i])
                        return -EINVAL;
        for (size_t i = 0; i < c->n_system_call_log; i++)
                if (!c->system_call_log[i])
                        return -EINVAL;
        if (c->n_architectures > POL_MAX_ARCHITECTURES)
                return -EINVAL;
        for (size_t i = 0; i < c->n_architectures; i++)
                if (!arch_name(c->architectures[i]) || c->architectures[i] == seccomp_arch_native())
                        return -EINVAL;
        return 0;
}

/* ---- rules ---- */

static uint32_t scmp_action(const struct pol_config *c, int act)
{
        switch (act) {
        case ACT_ALLOW:
                return SCMP_ACT_ALLOW;
        case ACT_KILL:
                return SCMP_ACT_KILL_PROCESS;
        case ACT_DENY:
                return c->system_call_error_number == 0
                               ? SCMP_ACT_KILL_PROCESS
                               : SCMP_ACT_ERRNO((uint16_t)c->system_call_error_number);
        default:
                return SCMP_ACT_ERRNO((uint16_t)act);
        }
}

static const struct pol_special_call *special_call(const char *name)
{
        size_t n;
        const struct pol_special_call *calls = pol_special_calls(&n);

        for (size_t i = 0; i < n; i++)
                if (streq(calls[i].name, name))
                        return &calls[i];
        return NULL;
}

static int add_entry_rules(const struct pol_rule_ctx *rc, const struct pol_config *c,
                           const struct sc_entry *e)
{
        uint32_t base = scmp_action(c, e->act);

        if (pol_special_kind(c, e->name) != SPECIAL_NONE)
                return pol_special_rules(rc, c, special_call(e->name), e->nr, base);
        return pol_rule_add(rc, base, e->nr, 0, NULL);
}

/* ---- compiling and loading ---- */

static int read_all_at(int fd, void *buf, size_t n)
{
        for (size_t done = 0; done < n;) {
                ssize_t k = pread(fd, (char *)buf + done, n - done, (off_t)done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return negative_errno();
                if (k == 0)
                        return -EIO;
                done += (size_t)k;
        }
        return 0;
}

/* libseccomp 2.5 can only export to an fd: go through a memfd, keep a heap copy. */
static int export_bpf(scmp_filter_ctx ctx, struct pol_filter **ret)
{
        _cleanup_close_ int fd = memfd_create("sockjail-seccomp", MFD_CLOEXEC);
        struct stat st;
        int r;

        if (fd < 0)
                return negative_errno();
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return r;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        size_t size = (size_t)st.st_size;
        if (size == 0 || size % sizeof(struct sock_filter) != 0)
                return -EIO;
        if (size / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return -E2BIG;

        struct sock_filter *insns = malloc(size);
        if (!insns)
                return -ENOMEM;
        r = read_all_at(fd, insns, size);
        if (r < 0) {
                free(insns);
                return r;
        }
        struct pol_filter *f = malloc(sizeof(*f));
        if (!f) {
                free(insns);
                return -ENOMEM;
        }
        *f = (struct pol_filter){.insns = insns, .n_insns = size / sizeof(*insns)};
        *ret = f;
        return 0;
}

static void seccomp_releasep(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}

/*
 * libseccomp asks the kernel (seccomp(2)) which actions it may emit. We only
 * export BPF and load it ourselves, and a kernel without KILL_PROCESS treats
 * it as a kill anyway, so pin the level when the probe comes back low: under
 * valgrind, which does not emulate seccomp(2), it always does.
 */
static void pin_api_level(void)
{
        if (seccomp_api_get() < 3)
                (void)seccomp_api_set(3);
}

/* A context for one architecture, with the filter's default and bad-arch actions. */
static int context_new(uint32_t def, uint32_t arch, scmp_filter_ctx *ret)
{
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(def);
        int r;

        if (!ctx)
                return -ENOMEM;
        /* Other ABIs (int 0x80, x32) would bypass the rules: they kill. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        /* a binary tree of syscall numbers: every call pays a few comparisons, not hundreds */
        if (r >= 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (r >= 0 && arch != seccomp_arch_native()) {
                r = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
                if (r >= 0)
                        r = seccomp_arch_add(ctx, arch);
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(ctx);
        return 0;
}

/* Merge one more architecture's context into ctx (which then owns it). */
static int context_merge(scmp_filter_ctx ctx, scmp_filter_ctx *other)
{
        int r = seccomp_merge(ctx, *other);

        if (r >= 0)
                *other = NULL; /* seccomp_merge released it */
        return r;
}

/*
 * Whether syscall name gets rules in arch's context: it must exist there,
 * except on x86, where libseccomp spells the socket and IPC calls that only
 * exist multiplexed (accept, shmget, ...) as socketcall and ipc rules.
 */
static bool entry_on_arch(const struct sc_entry *e, uint32_t arch)
{
        int nr = seccomp_syscall_resolve_name_arch(arch, e->name);

        return nr >= 0 || (nr != __NR_SCMP_ERROR && arch == SCMP_ARCH_X86);
}

static int compile_arch(const struct pol_config *c, const struct sc_table *t, uint32_t arch,
                        scmp_filter_ctx *ret)
{
        struct pol_rule_ctx rc = {.def = scmp_action(c, t->allow_list ? ACT_DENY : ACT_ALLOW),
                                  .arch = arch};
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r = context_new(rc.def, arch, &ctx);

        if (r < 0)
                return r;
        rc.ctx = ctx;
        for (size_t i = 0; i < t->n; i++)
                if (entry_on_arch(&t->v[i], arch) && (r = add_entry_rules(&rc, c, &t->v[i])) < 0)
                        return r;
        *ret = TAKE_PTR(ctx);
        return 0;
}

static int compile(const struct pol_config *c, const struct sc_table *t, struct pol_filter **ret)
{
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r;

        pin_api_level();
        r = compile_arch(c, t, seccomp_arch_native(), &ctx);
        for (size_t i = 0; r >= 0 && i < c->n_architectures; i++) {
                _cleanup_(seccomp_releasep) scmp_filter_ctx other = NULL;

                r = compile_arch(c, t, c->architectures[i], &other);
                if (r >= 0)
                        r = context_merge(ctx, &other);
        }
        return r < 0 ? r : export_bpf(ctx, ret);
}

/* One context holding every allowed architecture, for programs of unconditional rules. */
static int context_all_archs(const struct pol_config *c, uint32_t def, scmp_filter_ctx *ret)
{
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r = context_new(def, seccomp_arch_native(), &ctx);

        for (size_t i = 0; r >= 0 && i < c->n_architectures; i++)
                r = seccomp_arch_add(ctx, c->architectures[i]);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(ctx);
        return 0;
}

/*
 * The passed sockets live in the host's network namespace, and the interface
 * ioctls (SIOCGIFCONF and kin, the ARP table, SIOCGSKNS) answer for it. One
 * filter cannot allow ioctl and refuse some of its commands (an unconditional
 * rule swallows conditional ones), so a second, default-allow program refuses
 * 0x8910-0x89ff, matched on the low 32 bits as the kernel reads cmd. systemd
 * stacks its TIOCSTI rule the same way.
 */
static int compile_ioctl_filter(const struct pol_config *c, struct pol_filter **ret)
{
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r = context_all_archs(c, SCMP_ACT_ALLOW, &ctx);

        for (uint32_t cmd = 0x8910; r >= 0 && cmd <= 0x89f0; cmd += 0x10)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                                     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xfffffff0, cmd));
        return r < 0 ? r : export_bpf(ctx, ret);
}

/*
 * system_call_log: a program of its own, stacked, as systemd does; the
 * kernel takes the strictest answer of all programs, so a call the filter
 * refuses stays refused and one it allows is allowed and logged. Listed
 * names are ACT_ALLOW in t (and "~" ones ACT_DENY): listed calls log, or
 * with a leading "~", every call but those.
 */
static int compile_log_filter(const struct pol_config *c, const struct sc_table *t,
                              struct pol_filter **ret)
{
        bool invert = c->system_call_log[0][0] == '~';
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r = context_all_archs(c, invert ? SCMP_ACT_LOG : SCMP_ACT_ALLOW, &ctx);

        for (size_t i = 0; r >= 0 && i < t->n; i++) {
                bool logged = t->v[i].act == ACT_ALLOW;

                if (logged != invert)
                        r = seccomp_rule_add(ctx, logged ? SCMP_ACT_LOG : SCMP_ACT_ALLOW,
                                             t->v[i].nr, 0);
        }
        return r < 0 ? r : export_bpf(ctx, ret);
}

/* The word of entry that holds a ':', or NULL. */
static char *word_with_colon(const char *entry)
{
        const char *start = strchr(entry, ':');

        if (!start)
                return NULL;
        while (start > entry && !strchr(BLANKS "~", start[-1]))
                start--;
        return strndup(start, strcspn(start, BLANKS));
}

/* The names of system_call_log, resolved like system_call_filter's but without ":errno". */
static int sc_log_resolve(struct sc_table *t, const struct pol_config *c, size_t *ret_bad_entry,
                          char **ret_bad_word)
{
        t->foreign = c->n_architectures > 0;
        for (size_t i = 0; i < c->n_system_call_log; i++) {
                char *word = word_with_colon(c->system_call_log[i]);
                int r = -EINVAL;

                if (!word)
                        r = apply_entry(t, c->system_call_log[i], ret_bad_word);
                else if (ret_bad_word)
                        *ret_bad_word = word;
                else
                        free(word);
                if (r == -EINVAL && ret_bad_entry)
                        *ret_bad_entry = c->n_system_call_filter + i;
                if (r < 0)
                        return r;
        }
        return 0;
}

static int compile_all(const struct pol_config *c, const struct sc_table *t,
                       const struct sc_table *log, struct pol_filter **ret)
{
        struct pol_filter *f = NULL, **tail;
        int r = compile(c, t, &f);

        if (r < 0 || !f)
                return r < 0 ? r : -EIO;
        /* The stacked programs follow, each at the end of the list. */
        tail = &f->next;
        if (pol_denies_inet(c) && (r = compile_ioctl_filter(c, tail)) >= 0)
                tail = &(*tail)->next;
        if (r >= 0 && c->n_system_call_log > 0)
                r = compile_log_filter(c, log, tail);
        if (r < 0) {
                pol_filter_free(f);
                return r;
        }
        *ret = f;
        return 0;
}

/* Settings and names resolved; with ret, compiled too. */
static int filter_build(const struct pol_config *c, struct pol_filter **ret, size_t *ret_bad_entry,
                        char **ret_bad_word)
{
        _cleanup_(sc_table_done) struct sc_table t = {0}, log = {0};
        int r;

        if (ret_bad_entry)
                *ret_bad_entry = SIZE_MAX;
        if (ret_bad_word)
                *ret_bad_word = NULL;
        if (!c)
                return -EINVAL;
        r = check_config(c);
        if (r < 0)
                return r;
        r = sc_table_resolve(&t, c, ret_bad_entry, ret_bad_word);
        if (r >= 0)
                r = sc_log_resolve(&log, c, ret_bad_entry, ret_bad_word);
        if (r < 0 || !ret)
                return r;
        return compile_all(c, &t, &log, ret);
}

int pol_filter_build(const struct pol_config *c, struct pol_filter **ret, size_t *ret_bad_entry,
                     char **ret_bad_word)
{
        return ret ? filter_build(c, ret, ret_bad_entry, ret_bad_word) : -EINVAL;
}

int pol_filter_check(const struct pol_config *c, size_t *ret_bad_entry, char **ret_bad_word)
{
        return filter_build(c, NULL, ret_bad_entry, ret_bad_word);
}

void pol_filter_free(struct pol_filter *f)
{
        if (!f)
                return;
        pol_filter_free(f->next);
        free(f->insns);
        free(f);
}

/* Child side: only a stack struct and one syscall per program, no allocation. */
int pol_filter_load(const struct pol_filter *f)
{
        if (!f)
                return -EINVAL;
        for (; f; f = f->next) {
                if (f->n_insns == 0 || f->n_insns > BPF_MAXINSNS)
                        return -EINVAL;
                struct sock_fprog prog = {.len = (unsigned short)f->n_insns, .filter = f->insns};
                if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
                        return negative_errno();
        }
        return 0;
}

/* ---- describing the plan ---- */

static const char *act_name(const struct pol_config *c, int act, char *buf, size_t size)
{
        if (act == ACT_DENY)
                act = c->system_call_error_number == 0 ? ACT_KILL : c->system_call_error_number;
        if (act == ACT_ALLOW)
                return "allow";
        if (act == ACT_KILL)
                return "kill";

        const char *name = errno_to_name(act);
        if (name)
                return name;
        snprintf(buf, size, "errno:%d", act);
        return buf;
}

static void describe_entry(const struct pol_config *c, const struct sc_entry *e, FILE *out)
{
        enum pol_special kind = pol_special_kind(c, e->name);
        const char *note = "";
        int act = e->act, instead = -1;
        char buf[24];

        if (kind != SPECIAL_NONE && (e->act == ACT_ALLOW || kind == SPECIAL_FAMILY))
                note = pol_special_note(c, kind, &instead);
        if (instead >= 0) /* the restriction takes the whole call */
                act = instead;
        fprintf(out, "  %-7s %s%s\n", act_name(c, act, buf, sizeof(buf)), e->name, note);
}

static int entry_cmp(const void *a, const void *b)
{
        return strcmp(((const struct sc_entry *)a)->name, ((const struct sc_entry *)b)->name);
}

static void describe_architectures(const struct pol_config *c, FILE *out)
{
        if (c->n_architectures == 0) {
                fputs("architectures: native only (other ABIs, such as i386 and x32: kill)\n", out);
                return;
        }
        fputs("architectures: native", out);
        for (size_t i = 0; i < c->n_architectures; i++)
                fprintf(out, ", %s", arch_name(c->architectures[i]) ?: "?");
        fputs(" (others: kill)\n", out);
        for (size_t i = 0; i < c->n_architectures; i++)
                if (c->architectures[i] == SCMP_ARCH_X86 && c->restrict_families)
                        fputs("x86 (i386) socket calls: socket and socketpair fail with "
                              "EAFNOSUPPORT (socketcall hides the family from the filter)\n",
                              out);
}

static void describe_filter(const struct pol_config *c, struct sc_table *t, FILE *out)
{
        char buf[24];

        describe_architectures(c, out);
        fprintf(out, "system call filter: %s, anything not listed: %s\n",
                t->allow_list ? "allow list" : "deny list",
                act_name(c, t->allow_list ? ACT_DENY : ACT_ALLOW, buf, sizeof(buf)));
        /* By name, so the listing does not depend on the architecture's numbering. */
        if (t->n > 0)
                qsort(t->v, t->n, sizeof(*t->v), entry_cmp);
        for (size_t i = 0; i < t->n; i++)
                describe_entry(c, &t->v[i], out);
}

/* system_call_log, by name: what the stacked program logs. */
static void describe_log(const struct pol_config *c, struct sc_table *log, FILE *out)
{
        bool invert = c->n_system_call_log > 0 && c->system_call_log[0][0] == '~';
        size_t shown = 0;

        if (c->n_system_call_log == 0) {
                fputs("system calls logged: none\n", out);
                return;
        }
        fputs(invert ? "system calls logged: every allowed one but" : "system calls logged:", out);
        if (log->n > 0)
                qsort(log->v, log->n, sizeof(*log->v), entry_cmp);
        for (size_t i = 0; i < log->n; i++)
                if ((log->v[i].act == ACT_ALLOW) != invert) {
                        fprintf(out, " %s", log->v[i].name);
                        shown++;
                }
        fputs(shown ? "\n" : " none\n", out);
}

static void describe_ids(const struct pol_config *c, FILE *out)
{
        if (!c->change_ids) {
                fputs("user: unchanged\n", out);
                return;
        }
        fprintf(out, "user: uid %u, gid %u, supplementary groups:", (unsigned)c->uid,
                (unsigned)c->gid);
        for (size_t i = 0; i < c->n_groups; i++)
                fprintf(out, " %u", (unsigned)c->groups[i]);
        fputs(c->n_groups ? "\n" : " none\n", out);
}

static void describe_cap_set(const char *what, uint64_t set, FILE *out)
{
        fprintf(out, "%s:", what);
        if (set == 0)
                fputs(" none", out);
        for (unsigned cap = 0; cap < 64; cap++) {
                char name[40];

                if (set & (UINT64_C(1) << cap))
                        fprintf(out, " %s", pol_capability_to_name(cap, name, sizeof(name)));
        }
        fputc('\n', out);
}

static void describe_caps(const struct pol_config *c, FILE *out)
{
        describe_cap_set("capabilities", c->capability_bounding_set, out);
        if (c->ambient_given)
                describe_cap_set("ambient capabilities",
                                 c->ambient_capabilities & c->capability_bounding_set, out);
        else
                fputs("ambient capabilities: every kept one\n", out);
        pol_secure_bits_describe(c->secure_bits, out);
}

static void describe_families(const struct pol_config *c, FILE *out)
{
        bool deny = c->deny_families;
        size_t shown = 0;

        /* Numbers >= AF_MAX are refused even then, but the kernel knows none of them. */
        if (!c->restrict_families || (deny && c->n_families == 0)) {
                fputs("address families: any\n", out);
                return;
        }
        fputs(deny ? "address families: any but" : "address families:", out);
        /* In number order, whatever order the spec listed them in. */
        for (int af = 0; af < AF_MAX; af++)
                if (pol_family_allowed(c, af) != deny) {
                        const char *name = pol_family_to_name(af);
                        fprintf(out, " %s", name ? name : "?");
                        shown++;
                }
        if (shown == 0)
                fputs(" none", out);
        fputs(deny ? " (those: EAFNOSUPPORT)\n" : " (others: EAFNOSUPPORT)\n", out);
}

static const char *yes_no(bool b)
{
        return b ? "yes" : "no";
}

static void describe_process(const struct pol_config *c, FILE *out)
{
        fprintf(out, "no_new_privileges: %s\n",
                c->no_new_privileges ? "yes" : "yes (loading the seccomp filter requires it)");
        pol_namespaces_describe(c, out);
        fprintf(out, "personality: %s\n", c->lock_personality ? "locked to PER_LINUX" : "unlocked");
        fprintf(out,
                "memory_deny_write_execute: %s, restrict_realtime: %s, restrict_suid_sgid: %s\n",
                yes_no(c->memory_deny_write_execute), yes_no(c->restrict_realtime),
                yes_no(c->restrict_suid_sgid));
        pol_process_describe(c, out);
}

int pol_describe(const struct pol_config *c, FILE *out)
{
        _cleanup_(sc_table_done) struct sc_table t = {0}, log = {0};
        int r;

        if (!c || !out)
                return -EINVAL;
        r = check_config(c);
        if (r < 0)
                return r;
        r = sc_table_resolve(&t, c, NULL, NULL);
        if (r >= 0)
                r = sc_log_resolve(&log, c, NULL, NULL);
        if (r < 0)
                return r;
        describe_ids(c, out);
        describe_process(c, out);
        describe_caps(c, out);
        describe_families(c, out);
        pol_landlock_describe(c, out);
        describe_filter(c, &t, out);
        describe_log(c, &log, out);
        return ferror(out) ? -EIO : 0;
}
