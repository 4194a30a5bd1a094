/* SPDX-License-Identifier: MIT */
/*
 * The restrictions that look at a system call's arguments, as systemd has
 * them: RestrictAddressFamilies=, RestrictNamespaces=, LockPersonality=,
 * MemoryDenyWriteExecute=, RestrictRealtime= and RestrictSUIDSGID=.
 *
 * libseccomp lets an unconditional rule swallow every conditional rule of
 * the same syscall, and does not promise an order between overlapping
 * conditional rules, so each restricted syscall gets only conditional rules
 * whose argument ranges never overlap with a different action. (Only
 * SCMP_CMP_MASKED_EQ reads datum_b; the others get an explicit 0 so that no
 * initializer is missing.)
 */
#include "policy/restrict.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "common/util.h"

#if defined(__s390__) || defined(__s390x__)
#define CLONE_FLAGS_ARG 1 /* s390 swaps clone's first two arguments */
#else
#define CLONE_FLAGS_ARG 0
#endif

#define SETID_BITS (S_ISUID | S_ISGID)
#define TMPFILE_BIT (O_TMPFILE & ~O_DIRECTORY)

static const struct pol_special_call calls[] = {
        {"socket", SPECIAL_FAMILY, 0, 0},
        {"socketpair", SPECIAL_FAMILY, 0, 0},
        {"socketcall", SPECIAL_SOCKETCALL, 0, 0},
        {"clone", SPECIAL_CLONE, CLONE_FLAGS_ARG, 0},
        {"clone3", SPECIAL_CLONE3, 0, 0},
        {"unshare", SPECIAL_UNSHARE, 0, 0},
        {"setns", SPECIAL_SETNS, 1, 0},
        {"personality", SPECIAL_PERSONALITY, 0, 0},
        {"mmap", SPECIAL_MMAP, 2, 0},
        {"mmap2", SPECIAL_MMAP, 2, 0},
        {"mprotect", SPECIAL_MPROTECT, 2, 0},
        {"pkey_mprotect", SPECIAL_MPROTECT, 2, 0},
        {"shmat", SPECIAL_SHMAT, 2, 0},
        {"sched_setscheduler", SPECIAL_SCHED, 1, 0},
        {"sched_setattr", SPECIAL_SCHED_ATTR, 0, 0},
        {"chmod", SPECIAL_MODE, 1, 0},
        {"fchmod", SPECIAL_MODE, 1, 0},
        {"fchmodat", SPECIAL_MODE, 2, 0},
        {"fchmodat2", SPECIAL_MODE, 2, 0},
        {"mkdir", SPECIAL_MODE, 1, 0},
        {"mkdirat", SPECIAL_MODE, 2, 0},
        {"mknod", SPECIAL_MODE, 1, 0},
        {"mknodat", SPECIAL_MODE, 2, 0},
        {"creat", SPECIAL_MODE, 1, 0},
        {"open", SPECIAL_OPEN, 1, 2},
        {"openat", SPECIAL_OPEN, 2, 3},
        {"openat2", SPECIAL_OPENAT2, 0, 0},
};

const struct pol_special_call *pol_special_calls(size_t *ret_n)
{
        *ret_n = ELEMENTSOF(calls);
        return calls;
}

/* CLONE_NEWTIME is left out: in clone() that bit belongs to the exit signal. */
static const struct {
        const char *name;
        unsigned long flag;
} namespaces[] = {
        {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC}, {"net", CLONE_NEWNET},
        {"mnt", CLONE_NEWNS},        {"pid", CLONE_NEWPID}, {"user", CLONE_NEWUSER},
        {"uts", CLONE_NEWUTS},
};

int pol_namespace_from_name(const char *name)
{
        for (size_t i = 0; name && i < ELEMENTSOF(namespaces); i++)
                if (streq(namespaces[i].name, name))
                        return (int)namespaces[i].flag;
        return -EINVAL;
}

/* The CLONE_NEW* flags c refuses; 0 when namespaces are not restricted. */
static unsigned long denied_namespaces(const struct pol_config *c)
{
        return c->restrict_namespaces ? POL_NAMESPACES_ALL & ~c->allow_namespaces : 0;
}

bool pol_special_active(const struct pol_config *c, enum pol_special kind)
{
        switch (kind) {
        case SPECIAL_FAMILY:
        case SPECIAL_SOCKETCALL:
                return c->restrict_families;
        case SPECIAL_CLONE:
        case SPECIAL_CLONE3:
        case SPECIAL_UNSHARE:
        case SPECIAL_SETNS:
                return denied_namespaces(c) != 0;
        case SPECIAL_PERSONALITY:
                return c->lock_personality;
        case SPECIAL_MMAP:
        case SPECIAL_MPROTECT:
        case SPECIAL_SHMAT:
                return c->memory_deny_write_execute;
        case SPECIAL_SCHED:
        case SPECIAL_SCHED_ATTR:
                return c->restrict_realtime;
        case SPECIAL_MODE:
        case SPECIAL_OPEN:
        case SPECIAL_OPENAT2:
                return c->restrict_suid_sgid;
        case SPECIAL_NONE:
                break;
        }
        return false;
}

enum pol_special pol_special_kind(const struct pol_config *c, const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(calls); i++)
                if (streq(calls[i].name, name))
                        return pol_special_active(c, calls[i].kind) ? calls[i].kind : SPECIAL_NONE;
        return SPECIAL_NONE;
}

int pol_rule_add(const struct pol_rule_ctx *rc, uint32_t act, int nr, unsigned n,
                 const struct scmp_arg_cmp *cmp)
{
        if (act == rc->def)
                return 0;
        return seccomp_rule_add_array(rc->ctx, act, nr, n, cmp);
}

/* Whether a syscall's own action lets it run: only then do its arguments matter. */
static bool allows(uint32_t act)
{
        return act == SCMP_ACT_ALLOW || act == SCMP_ACT_LOG;
}

static uint32_t narrow(uint32_t base, uint32_t restricted)
{
        return allows(base) ? restricted : base;
}

static int add1(const struct pol_rule_ctx *rc, uint32_t act, int nr, struct scmp_arg_cmp cmp)
{
        return pol_rule_add(rc, act, nr, 1, &cmp);
}

/* ---- address families ---- */

bool pol_family_allowed(const struct pol_config *c, int af)
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
 * bits set, is refused too.
 */
static int add_family_rules(const struct pol_rule_ctx *rc, const struct pol_config *c, int nr,
                            uint32_t base)
{
        const uint32_t refuse = SCMP_ACT_ERRNO(EAFNOSUPPORT);
        int r;

        /* On x86 (i386) the family may sit in socketcall's memory: no socket at all. */
        if (rc->arch == SCMP_ARCH_X86)
                return pol_rule_add(rc, narrow(base, refuse), nr, 0, NULL);
        for (int af = 0; af < AF_MAX; af++) {
                if (pol_family_allowed(c, af))
                        r = add1(rc, base, nr, SCMP_A0_64(SCMP_CMP_EQ, (uint64_t)af, 0));
                else
                        r = add1(rc, refuse, nr,
                                 SCMP_A0_64(SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint64_t)af));
                if (r < 0)
                        return r;
        }
        return add1(rc, refuse, nr, SCMP_A0_64(SCMP_CMP_GE, (uint64_t)AF_MAX, 0));
}

/* ---- namespaces ---- */

/* Flags in arg: any denied bit -> EPERM, none -> base (plain forks and threads). */
static int add_flag_rules(const struct pol_rule_ctx *rc, int nr, unsigned arg, uint64_t denied,
                          uint32_t base)
{
        int r;

        for (size_t i = 0; i < ELEMENTSOF(namespaces); i++) {
                uint64_t f = namespaces[i].flag;

                if ((denied & f) && (r = add1(rc, SCMP_ACT_ERRNO(EPERM), nr,
                                              SCMP_CMP64(arg, SCMP_CMP_MASKED_EQ, f, f))) < 0)
                        return r;
        }
        return add1(rc, base, nr, SCMP_CMP64(arg, SCMP_CMP_MASKED_EQ, denied, 0));
}

/*
 * setns(fd, nstype) under a list: an allowed type (and no refused one) keeps
 * base; a refused type, and nstype 0 (any type, systemd refuses it), EPERM.
 * The kernel reads nstype as an int: 0 is matched on the low 32 bits.
 */
static int add_setns_rules(const struct pol_rule_ctx *rc, int nr, uint64_t denied, uint32_t base)
{
        int r = add1(rc, SCMP_ACT_ERRNO(EPERM), nr, SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffu, 0));

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(namespaces); i++) {
                uint64_t f = namespaces[i].flag;

                if (denied & f)
                        r = add1(rc, SCMP_ACT_ERRNO(EPERM), nr,
                                 SCMP_A1_64(SCMP_CMP_MASKED_EQ, f, f));
                else
                        r = add1(rc, base, nr, SCMP_A1_64(SCMP_CMP_MASKED_EQ, denied | f, f));
        }
        return r;
}

static int add_namespace_rules(const struct pol_rule_ctx *rc, const struct pol_config *c,
                               const struct pol_special_call *call, int nr, uint32_t base)
{
        uint64_t denied = denied_namespaces(c);

        switch (call->kind) {
        case SPECIAL_CLONE:
                return add_flag_rules(rc, nr, call->arg, denied, base);
        case SPECIAL_UNSHARE:
                /* The boolean form refuses unshare and setns outright, as systemd. */
                if (c->allow_namespaces == 0)
                        return pol_rule_add(rc, SCMP_ACT_ERRNO(EPERM), nr, 0, NULL);
                return add_flag_rules(rc, nr, call->arg, denied, base);
        case SPECIAL_SETNS:
                if (c->allow_namespaces == 0)
                        return pol_rule_add(rc, SCMP_ACT_ERRNO(EPERM), nr, 0, NULL);
                return add_setns_rules(rc, nr, denied, base);
        default:
                /* clone3: its flags sit in memory a filter cannot read; ENOSYS makes
                 * libc fall back to clone(), which the filter can inspect (as systemd). */
                return pol_rule_add(rc, SCMP_ACT_ERRNO(ENOSYS), nr, 0, NULL);
        }
}

/* ---- personality ---- */

/*
 * personality(PER_LINUX) and the query personality(0xffffffff) keep the
 * syscall's action; every other value gets EPERM. "Other" must be spelled
 * as rules that never overlap the two allowed values: anything above 32
 * bits, plus, for each bit i, "bit i set and bit i+1 (cyclically) clear";
 * every 32-bit value that is neither all zeros nor all ones has such a pair.
 */
static int add_personality_rules(const struct pol_rule_ctx *rc, int nr, uint32_t base)
{
        const uint32_t refuse = SCMP_ACT_ERRNO(EPERM);
        int r;

        if (!allows(base))
                return pol_rule_add(rc, base, nr, 0, NULL);
        if ((r = add1(rc, base, nr, SCMP_A0_64(SCMP_CMP_EQ, 0, 0))) < 0 ||
            (r = add1(rc, base, nr, SCMP_A0_64(SCMP_CMP_EQ, 0xffffffffu, 0))) < 0 ||
            (r = add1(rc, refuse, nr, SCMP_A0_64(SCMP_CMP_GT, 0xffffffffu, 0))) < 0)
                return r;
        for (unsigned i = 0; i < 32; i++) {
                uint64_t bit = UINT64_C(1) << i, next = UINT64_C(1) << ((i + 1) % 32);
                r = add1(rc, refuse, nr, SCMP_A0_64(SCMP_CMP_MASKED_EQ, bit | next, bit));
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- bits in one argument ---- */

/* EPERM when arg has every bit of mask set; base when any of them is clear. */
static int add_all_bits_rules(const struct pol_rule_ctx *rc, int nr, unsigned arg, uint64_t mask,
                              uint32_t base)
{
        int r = add1(rc, SCMP_ACT_ERRNO(EPERM), nr,
                     SCMP_CMP64(arg, SCMP_CMP_MASKED_EQ, mask, mask));

        for (uint64_t bit = 1; r >= 0 && bit && bit <= mask; bit <<= 1)
                if (mask & bit)
                        r = add1(rc, base, nr, SCMP_CMP64(arg, SCMP_CMP_MASKED_EQ, bit, 0));
        return r;
}

/* EPERM when arg has any bit of mask set; base when none. */
static int add_any_bit_rules(const struct pol_rule_ctx *rc, int nr, unsigned arg, uint64_t mask,
                             uint32_t base)
{
        int r = add1(rc, base, nr, SCMP_CMP64(arg, SCMP_CMP_MASKED_EQ, mask, 0));

        for (uint64_t bit = 1; r >= 0 && bit && bit <= mask; bit <<= 1)
                if (mask & bit)
                        r = add1(rc, SCMP_ACT_ERRNO(EPERM), nr,
                                 SCMP_CMP64(arg, SCMP_CMP_MASKED_EQ, bit, bit));
        return r;
}

/*
 * open(path, flags, mode) creating a set-id file: O_CREAT or O_TMPFILE in
 * flags and S_ISUID or S_ISGID in mode. Allowed when the flags create
 * nothing, or the mode sets no id bit; refused for each of the four pairs.
 */
static int add_open_rules(const struct pol_rule_ctx *rc, const struct pol_special_call *call,
                          int nr, uint32_t base)
{
        static const uint64_t creating[] = {O_CREAT, TMPFILE_BIT}, setid[] = {S_ISUID, S_ISGID};
        struct scmp_arg_cmp cmp[2];
        int r;

        cmp[0] = SCMP_CMP64(call->arg, SCMP_CMP_MASKED_EQ, O_CREAT | TMPFILE_BIT, 0);
        if ((r = pol_rule_add(rc, base, nr, 1, cmp)) < 0)
                return r;
        cmp[0] = SCMP_CMP64(call->arg2, SCMP_CMP_MASKED_EQ, SETID_BITS, 0);
        if ((r = pol_rule_add(rc, base, nr, 1, cmp)) < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(creating); i++)
                for (size_t j = 0; j < ELEMENTSOF(setid); j++) {
                        cmp[0] =
                                SCMP_CMP64(call->arg, SCMP_CMP_MASKED_EQ, creating[i], creating[i]);
                        cmp[1] = SCMP_CMP64(call->arg2, SCMP_CMP_MASKED_EQ, setid[j], setid[j]);
                        if ((r = pol_rule_add(rc, SCMP_ACT_ERRNO(EPERM), nr, 2, cmp)) < 0)
                                return r;
                }
        return 0;
}

/* ---- realtime ---- */

/*
 * sched_setscheduler(pid, policy, ...): SCHED_OTHER, SCHED_BATCH and
 * SCHED_IDLE keep base, exactly (as allowed families); the realtime ones
 * (FIFO, RR, and DEADLINE above IDLE) and anything with high bits or flags
 * such as SCHED_RESET_ON_FORK, EPERM, as systemd.
 */
static int add_sched_rules(const struct pol_rule_ctx *rc, int nr, unsigned arg, uint32_t base)
{
        static const uint64_t ok[] = {SCHED_OTHER, SCHED_BATCH, SCHED_IDLE};
        const uint32_t refuse = SCMP_ACT_ERRNO(EPERM);
        int r = add1(rc, refuse, nr, SCMP_CMP64(arg, SCMP_CMP_GT, SCHED_IDLE, 0));

        for (uint64_t p = 0; r >= 0 && p <= SCHED_IDLE; p++) {
                bool good = p == ok[0] || p == ok[1] || p == ok[2];

                if (good)
                        r = add1(rc, base, nr, SCMP_CMP64(arg, SCMP_CMP_EQ, p, 0));
                else
                        r = add1(rc, refuse, nr,
                                 SCMP_CMP64(arg, SCMP_CMP_MASKED_EQ, 0xffffffffu, p));
        }
        return r;
}

/* ---- dispatch ---- */

static int add_memory_rules(const struct pol_rule_ctx *rc, const struct pol_special_call *call,
                            int nr, uint32_t base)
{
        switch (call->kind) {
        case SPECIAL_MMAP:
                /* x86's old mmap takes its arguments in memory; mmap2 is the one to check. */
                if (rc->arch == SCMP_ARCH_X86 && streq(call->name, "mmap"))
                        return pol_rule_add(rc, SCMP_ACT_ERRNO(EPERM), nr, 0, NULL);
                return add_all_bits_rules(rc, nr, call->arg, PROT_WRITE | PROT_EXEC, base);
        case SPECIAL_MPROTECT:
                return add_all_bits_rules(rc, nr, call->arg, PROT_EXEC, base);
        default:
                return add_all_bits_rules(rc, nr, call->arg, SHM_EXEC, base);
        }
}

int pol_special_rules(const struct pol_rule_ctx *rc, const struct pol_config *c,
                      const struct pol_special_call *call, int nr, uint32_t base)
{
        /* x86: left out, so that libseccomp spells each socket call as a socketcall
         * rule of its own (where socket and socketpair are refused). */
        if (call->kind == SPECIAL_SOCKETCALL)
                return rc->arch == SCMP_ARCH_X86 ? 0 : pol_rule_add(rc, base, nr, 0, NULL);
        if (!allows(base) && call->kind != SPECIAL_FAMILY)
                return pol_rule_add(rc, base, nr, 0, NULL);
        switch (call->kind) {
        case SPECIAL_FAMILY:
                return add_family_rules(rc, c, nr, base);
        case SPECIAL_CLONE:
        case SPECIAL_CLONE3:
        case SPECIAL_UNSHARE:
        case SPECIAL_SETNS:
                return add_namespace_rules(rc, c, call, nr, base);
        case SPECIAL_PERSONALITY:
                return add_personality_rules(rc, nr, base);
        case SPECIAL_MMAP:
        case SPECIAL_MPROTECT:
        case SPECIAL_SHMAT:
                return add_memory_rules(rc, call, nr, base);
        case SPECIAL_SCHED:
                return add_sched_rules(rc, nr, call->arg, base);
        case SPECIAL_MODE:
                return add_any_bit_rules(rc, nr, call->arg, SETID_BITS, base);
        case SPECIAL_OPEN:
                return add_open_rules(rc, call, nr, base);
        case SPECIAL_SCHED_ATTR:
                return pol_rule_add(rc, SCMP_ACT_ERRNO(EPERM), nr, 0, NULL);
        case SPECIAL_OPENAT2:
                /* Its mode sits in memory: ENOSYS, and libc falls back to openat. */
                return pol_rule_add(rc, SCMP_ACT_ERRNO(ENOSYS), nr, 0, NULL);
        case SPECIAL_SOCKETCALL:
        case SPECIAL_NONE:
                break;
        }
        return pol_rule_add(rc, base, nr, 0, NULL);
}

/* ---- describing ---- */

const char *pol_special_note(const struct pol_config *c, enum pol_special kind, int *ret_errno)
{
        *ret_errno = -1;
        switch (kind) {
        case SPECIAL_FAMILY:
                return " (other address families: EAFNOSUPPORT)";
        case SPECIAL_CLONE:
                return c->allow_namespaces == 0 ? " (with any CLONE_NEW* flag: EPERM)"
                                                : " (with a refused CLONE_NEW* flag: EPERM)";
        case SPECIAL_UNSHARE:
        case SPECIAL_SETNS:
                if (c->allow_namespaces == 0)
                        *ret_errno = EPERM;
                return *ret_errno < 0 ? " (a refused namespace type: EPERM)" : "";
        case SPECIAL_CLONE3:
        case SPECIAL_OPENAT2:
                *ret_errno = ENOSYS;
                return "";
        case SPECIAL_SCHED_ATTR:
                *ret_errno = EPERM;
                return "";
        case SPECIAL_PERSONALITY:
                return " (PER_LINUX and queries only, else EPERM)";
        case SPECIAL_MMAP:
                return " (PROT_WRITE with PROT_EXEC: EPERM)";
        case SPECIAL_MPROTECT:
                return " (PROT_EXEC: EPERM)";
        case SPECIAL_SHMAT:
                return " (SHM_EXEC: EPERM)";
        case SPECIAL_SCHED:
                return " (realtime policies: EPERM)";
        case SPECIAL_MODE:
        case SPECIAL_OPEN:
                return " (setting S_ISUID or S_ISGID: EPERM)";
        case SPECIAL_SOCKETCALL:
        case SPECIAL_NONE:
                break;
        }
        return "";
}

void pol_namespaces_describe(const struct pol_config *c, FILE *out)
{
        unsigned long denied = denied_namespaces(c);

        if (!denied) {
                fputs("namespaces: unrestricted\n", out);
                return;
        }
        if (c->allow_namespaces == 0) {
                fputs("namespaces: no new ones (unshare, setns and clone with CLONE_NEW*: "
                      "EPERM; clone3: ENOSYS)\n",
                      out);
                return;
        }
        fputs("namespaces: only", out);
        for (size_t i = 0; i < ELEMENTSOF(namespaces); i++)
                if (!(denied & namespaces[i].flag))
                        fprintf(out, " %s", namespaces[i].name);
        fputs(" (the others: EPERM from unshare, setns and clone; setns with no type: EPERM; "
              "clone3: ENOSYS)\n",
              out);
}
