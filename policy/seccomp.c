/* SPDX-License-Identifier: MIT */
/*
 * The seccomp side of the policy: resolve systemd-style SystemCallFilter=
 * entries into one action per syscall, compile them with libseccomp for the
 * native architecture, and export the BPF before fork so the child only has
 * to hand a ready program to the kernel.
 *
 * All of it goes into one filter. libseccomp lets an unconditional rule
 * swallow every conditional rule of the same syscall, and does not promise an
 * order between overlapping conditional rules, so each restricted syscall
 * (socket, clone, personality, ...) gets only conditional rules whose
 * argument ranges never overlap with a different action.
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

#include <cap-ng.h>

#include "common/util.h"
#include "policy/groups.h"
#include "policy/landlock.h"
#include "policy/pol.h"

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
 * so are known names that do not exist here (negative pseudo numbers).
 */
static int set_syscall(struct sc_table *t, const char *name, int act, bool explicit)
{
        int nr = seccomp_syscall_resolve_name(name);

        if (nr == __NR_SCMP_ERROR)
                return explicit ? -EINVAL : 0;
        if (nr < 0)
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

enum special {
        SPECIAL_NONE,
        SPECIAL_FAMILY,
        SPECIAL_CLONE,
        SPECIAL_CLONE3,
        SPECIAL_NAMESPACE,
        SPECIAL_PERSONALITY,
};

static const struct {
        const char *name;
        int nr;
        enum special kind;
} specials[] = {
        {"socket", SCMP_SYS(socket), SPECIAL_FAMILY},
        {"socketpair", SCMP_SYS(socketpair), SPECIAL_FAMILY},
        {"clone", SCMP_SYS(clone), SPECIAL_CLONE},
        {"clone3", SCMP_SYS(clone3), SPECIAL_CLONE3},
        {"unshare", SCMP_SYS(unshare), SPECIAL_NAMESPACE},
        {"setns", SCMP_SYS(setns), SPECIAL_NAMESPACE},
        {"personality", SCMP_SYS(personality), SPECIAL_PERSONALITY},
};

static bool special_active(const struct pol_config *c, enum special kind)
{
        switch (kind) {
        case SPECIAL_FAMILY:
                return c->restrict_families;
        case SPECIAL_CLONE:
        case SPECIAL_CLONE3:
        case SPECIAL_NAMESPACE:
                return c->restrict_namespaces;
        case SPECIAL_PERSONALITY:
                return c->lock_personality;
        case SPECIAL_NONE:
                break;
        }
        return false;
}

static enum special special_kind(const struct pol_config *c, int nr)
{
        for (size_t i = 0; i < ELEMENTSOF(specials); i++)
                if (specials[i].nr == nr)
                        return special_active(c, specials[i].kind) ? specials[i].kind
                                                                   : SPECIAL_NONE;
        return SPECIAL_NONE;
}

/* A restricted syscall the filter does not mention still needs its rules. */
static int add_specials(struct sc_table *t, const struct pol_config *c)
{
        for (size_t i = 0; i < ELEMENTSOF(specials); i++) {
                if (specials[i].nr < 0 || !special_active(c, specials[i].kind) ||
                    sc_table_get(t, specials[i].nr))
                        continue;
                int r = sc_table_set(t, specials[i].nr, specials[i].name,
                                     t->allow_list ? ACT_DENY : ACT_ALLOW);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int sc_table_resolve(struct sc_table *t, const struct pol_config *c, size_t *ret_bad_entry,
                            char **ret_bad_word)
{
        int r;

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

struct rule_ctx {
        scmp_filter_ctx ctx;
        uint32_t def;
};

static int add_rule(const struct rule_ctx *rc, uint32_t act, int nr, unsigned n,
                    const struct scmp_arg_cmp *cmp)
{
        /* Such a rule changes nothing, and libseccomp refuses it with -EACCES. */
        if (act == rc->def)
                return 0;
        return seccomp_rule_add_array(rc->ctx, act, nr, n, cmp);
}

static bool family_allowed(const struct pol_config *c, int af)
{
        bool listed = false;

        for (size_t i = 0; i < c->n_families && !listed; i++)
                listed = c->families[i] == af;
        return listed != c->deny_families;
}

/*
 * Allowed families match the whole 64-bit register exactly and get the
 * syscall's own action; refused ones match on the low 32 bits (the kernel
 * reads an int), and anything >= AF_MAX, including every value with high
 * bits set, is refused too. So no two rules with different actions overlap.
 * (Only SCMP_CMP_MASKED_EQ reads datum_b; the others get an explicit 0 so
 * that no initializer is missing.)
 */
static int add_family_rules(const struct rule_ctx *rc, const struct pol_config *c, int nr,
                            uint32_t base)
{
        const uint32_t refuse = SCMP_ACT_ERRNO(EAFNOSUPPORT);
        struct scmp_arg_cmp cmp;
        int r;

        for (int af = 0; af < AF_MAX; af++) {
                if (family_allowed(c, af)) {
                        cmp = SCMP_A0_64(SCMP_CMP_EQ, (uint64_t)af, 0);
                        r = add_rule(rc, base, nr, 1, &cmp);
                } else {
                        cmp = SCMP_A0_64(SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint64_t)af);
                        r = add_rule(rc, refuse, nr, 1, &cmp);
                }
                if (r < 0)
                        return r;
        }
        cmp = SCMP_A0_64(SCMP_CMP_GE, (uint64_t)AF_MAX, 0);
        return add_rule(rc, refuse, nr, 1, &cmp);
}

#if defined(__s390__) || defined(__s390x__)
#define CLONE_FLAGS_ARG 1 /* s390 swaps clone's first two arguments */
#else
#define CLONE_FLAGS_ARG 0
#endif

/* CLONE_NEWTIME is left out: in clone() that bit belongs to the exit signal. */
static const uint64_t clone_ns_flags[] = {
        CLONE_NEWNS,   CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
        CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET,
};

/* Plain clone (fork, threads) stays allowed: no flag bits -> base, any bit -> EPERM. */
static int add_clone_rules(const struct rule_ctx *rc, int nr, uint32_t base)
{
        struct scmp_arg_cmp cmp;
        uint64_t all = 0;
        int r;

        if (base != SCMP_ACT_ALLOW)
                return add_rule(rc, base, nr, 0, NULL);
        for (size_t i = 0; i < ELEMENTSOF(clone_ns_flags); i++) {
                all |= clone_ns_flags[i];
                cmp = SCMP_CMP64(CLONE_FLAGS_ARG, SCMP_CMP_MASKED_EQ, clone_ns_flags[i],
                                 clone_ns_flags[i]);
                r = add_rule(rc, SCMP_ACT_ERRNO(EPERM), nr, 1, &cmp);
                if (r < 0)
                        return r;
        }
        cmp = SCMP_CMP64(CLONE_FLAGS_ARG, SCMP_CMP_MASKED_EQ, all, 0);
        return add_rule(rc, SCMP_ACT_ALLOW, nr, 1, &cmp);
}

/*
 * personality(PER_LINUX) and the query personality(0xffffffff) keep the
 * syscall's action; every other value gets EPERM. "Other" must be spelled
 * as rules that never overlap the two allowed values: anything above 32
 * bits, plus, for each bit i, "bit i set and bit i+1 (cyclically) clear";
 * every 32-bit value that is neither all zeros nor all ones has such a pair.
 */
static int add_personality_rules(const struct rule_ctx *rc, int nr, uint32_t base)
{
        const uint32_t refuse = SCMP_ACT_ERRNO(EPERM);
        struct scmp_arg_cmp cmp;
        int r;

        if (base != SCMP_ACT_ALLOW)
                return add_rule(rc, base, nr, 0, NULL);
        cmp = SCMP_A0_64(SCMP_CMP_EQ, 0, 0);
        if ((r = add_rule(rc, base, nr, 1, &cmp)) < 0)
                return r;
        cmp = SCMP_A0_64(SCMP_CMP_EQ, 0xffffffffu, 0);
        if ((r = add_rule(rc, base, nr, 1, &cmp)) < 0)
                return r;
        cmp = SCMP_A0_64(SCMP_CMP_GT, 0xffffffffu, 0);
        if ((r = add_rule(rc, refuse, nr, 1, &cmp)) < 0)
                return r;
        for (unsigned i = 0; i < 32; i++) {
                uint64_t bit = UINT64_C(1) << i, next = UINT64_C(1) << ((i + 1) % 32);
                cmp = SCMP_A0_64(SCMP_CMP_MASKED_EQ, bit | next, bit);
                if ((r = add_rule(rc, refuse, nr, 1, &cmp)) < 0)
                        return r;
        }
        return 0;
}

/* A restriction only narrows: a syscall the filter already denies keeps its own action. */
static uint32_t narrow(uint32_t base, uint32_t restricted)
{
        return base == SCMP_ACT_ALLOW ? restricted : base;
}

static int add_entry_rules(const struct rule_ctx *rc, const struct pol_config *c,
                           const struct sc_entry *e)
{
        uint32_t base = scmp_action(c, e->act);

        switch (special_kind(c, e->nr)) {
        case SPECIAL_FAMILY:
                return add_family_rules(rc, c, e->nr, base);
        case SPECIAL_CLONE:
                return add_clone_rules(rc, e->nr, base);
        case SPECIAL_CLONE3:
                /* Its flags sit in memory a filter cannot read; ENOSYS makes libc fall back
                 * to clone(), which the filter can inspect (what systemd does). */
                return add_rule(rc, narrow(base, SCMP_ACT_ERRNO(ENOSYS)), e->nr, 0, NULL);
        case SPECIAL_NAMESPACE:
                return add_rule(rc, narrow(base, SCMP_ACT_ERRNO(EPERM)), e->nr, 0, NULL);
        case SPECIAL_PERSONALITY:
                return add_personality_rules(rc, e->nr, base);
        case SPECIAL_NONE:
                break;
        }
        return add_rule(rc, base, e->nr, 0, NULL);
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

static int compile(const struct pol_config *c, const struct sc_table *t, struct pol_filter **ret)
{
        struct rule_ctx rc = {.def = scmp_action(c, t->allow_list ? ACT_DENY : ACT_ALLOW)};
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r;

        pin_api_level();
        ctx = seccomp_init(rc.def);

        if (!ctx)
                return -ENOMEM;
        rc.ctx = ctx;
        /* Native only: i386 (int 0x80) and x32 calls would bypass the rules. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        if (r < 0)
                return r;
        for (size_t i = 0; i < t->n; i++)
                if ((r = add_entry_rules(&rc, c, &t->v[i])) < 0)
                        return r;
        return export_bpf(ctx, ret);
}

/*
 * The passed sockets live in the host's network namespace, and the interface
 * ioctls (SIOCGIFCONF and kin, the ARP table, SIOCGSKNS) answer for it. One
 * filter cannot allow ioctl and refuse some of its commands (an unconditional
 * rule swallows conditional ones), so a second, default-allow program refuses
 * 0x8910-0x89ff, matched on the low 32 bits as the kernel reads cmd. systemd
 * stacks its TIOCSTI rule the same way.
 */
static int compile_ioctl_filter(struct pol_filter **ret)
{
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        int r;

        if (!ctx)
                return -ENOMEM;
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        for (uint32_t cmd = 0x8910; r >= 0 && cmd <= 0x89f0; cmd += 0x10)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                                     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xfffffff0, cmd));
        return r < 0 ? r : export_bpf(ctx, ret);
}

static int compile_all(const struct pol_config *c, const struct sc_table *t,
                       struct pol_filter **ret)
{
        struct pol_filter *f = NULL;
        int r = compile(c, t, &f);

        if (r >= 0 && pol_denies_inet(c) && (r = compile_ioctl_filter(&f->next)) < 0)
                pol_filter_free(f);
        if (r >= 0)
                *ret = f;
        return r;
}

int pol_filter_build(const struct pol_config *c, struct pol_filter **ret, size_t *ret_bad_entry,
                     char **ret_bad_word)
{
        _cleanup_(sc_table_done) struct sc_table t = {0};
        int r;

        if (ret_bad_entry)
                *ret_bad_entry = SIZE_MAX;
        if (ret_bad_word)
                *ret_bad_word = NULL;
        if (!c || !ret)
                return -EINVAL;
        r = check_config(c);
        if (r < 0)
                return r;
        r = sc_table_resolve(&t, c, ret_bad_entry, ret_bad_word);
        if (r < 0)
                return r;
        return compile_all(c, &t, ret);
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
        bool allowed = e->act == ACT_ALLOW;
        const char *note = "";
        int act = e->act;
        char buf[24];

        switch (special_kind(c, e->nr)) {
        case SPECIAL_FAMILY:
                note = " (other address families: EAFNOSUPPORT)";
                break;
        case SPECIAL_CLONE:
                note = allowed ? " (with any CLONE_NEW* flag: EPERM)" : "";
                break;
        case SPECIAL_CLONE3:
                act = allowed ? ENOSYS : act;
                break;
        case SPECIAL_NAMESPACE:
                act = allowed ? EPERM : act;
                break;
        case SPECIAL_PERSONALITY:
                note = allowed ? " (PER_LINUX and queries only, else EPERM)" : "";
                break;
        case SPECIAL_NONE:
                break;
        }
        fprintf(out, "  %-7s %s%s\n", act_name(c, act, buf, sizeof(buf)), e->name, note);
}

static int entry_cmp(const void *a, const void *b)
{
        return strcmp(((const struct sc_entry *)a)->name, ((const struct sc_entry *)b)->name);
}

static void describe_filter(const struct pol_config *c, struct sc_table *t, FILE *out)
{
        char buf[24];

        fputs("architectures: native only (other ABIs, such as i386 and x32: kill)\n", out);
        fprintf(out, "system call filter: %s, anything not listed: %s\n",
                t->allow_list ? "allow list" : "deny list",
                act_name(c, t->allow_list ? ACT_DENY : ACT_ALLOW, buf, sizeof(buf)));
        /* By name, so the listing does not depend on the architecture's numbering. */
        qsort(t->v, t->n, sizeof(*t->v), entry_cmp);
        for (size_t i = 0; i < t->n; i++)
                describe_entry(c, &t->v[i], out);
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

static void describe_caps(const struct pol_config *c, FILE *out)
{
        fputs("capabilities:", out);
        if (c->capability_bounding_set == 0)
                fputs(" none", out);
        for (unsigned cap = 0; cap < 64; cap++) {
                if (!(c->capability_bounding_set & (UINT64_C(1) << cap)))
                        continue;
                const char *name = capng_capability_to_name(cap);
                if (!name) {
                        fprintf(out, " %u", cap);
                        continue;
                }
                fputs(" CAP_", out);
                for (const char *p = name; *p; p++)
                        fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, out);
        }
        fputc('\n', out);
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
                if (family_allowed(c, af) != deny) {
                        const char *name = pol_family_to_name(af);
                        fprintf(out, " %s", name ? name : "?");
                        shown++;
                }
        if (shown == 0)
                fputs(" none", out);
        fputs(deny ? " (those: EAFNOSUPPORT)\n" : " (others: EAFNOSUPPORT)\n", out);
}

static void describe_process(const struct pol_config *c, FILE *out)
{
        fprintf(out, "no_new_privileges: %s\n",
                c->no_new_privileges ? "yes" : "yes (loading the seccomp filter requires it)");
        fprintf(out, "namespaces: %s\n",
                c->restrict_namespaces ? "no new ones (unshare, setns and clone with CLONE_NEW*: "
                                         "EPERM; clone3: ENOSYS)"
                                       : "unrestricted");
        fprintf(out, "personality: %s\n", c->lock_personality ? "locked to PER_LINUX" : "unlocked");
}

int pol_describe(const struct pol_config *c, FILE *out)
{
        _cleanup_(sc_table_done) struct sc_table t = {0};
        int r;

        if (!c || !out)
                return -EINVAL;
        r = check_config(c);
        if (r < 0)
                return r;
        r = sc_table_resolve(&t, c, NULL, NULL);
        if (r < 0)
                return r;
        describe_ids(c, out);
        describe_process(c, out);
        describe_caps(c, out);
        describe_families(c, out);
        pol_landlock_describe(c, out);
        describe_filter(c, &t, out);
        return ferror(out) ? -EIO : 0;
}
