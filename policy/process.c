/* SPDX-License-Identifier: MIT */
/*
 * The process attributes of the policy that are not about system calls:
 * oom_score_adj, nice, resource limits, umask and secure bits, with their
 * name tables. They are set in the service's process before its ids change,
 * since raising any of them needs privileges the service will not keep.
 */
#include "policy/process.h"

#include <errno.h>
#include <linux/securebits.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "common/util.h"

_Static_assert(RLIMIT_RTTIME + 1 == POL_RLIMIT_MAX, "systemd's sixteen limits");

static const char *const rlimit_names[POL_RLIMIT_MAX] = {
        [RLIMIT_CPU] = "cpu",           [RLIMIT_FSIZE] = "fsize",
        [RLIMIT_DATA] = "data",         [RLIMIT_STACK] = "stack",
        [RLIMIT_CORE] = "core",         [RLIMIT_RSS] = "rss",
        [RLIMIT_NOFILE] = "nofile",     [RLIMIT_AS] = "as",
        [RLIMIT_NPROC] = "nproc",       [RLIMIT_MEMLOCK] = "memlock",
        [RLIMIT_LOCKS] = "locks",       [RLIMIT_SIGPENDING] = "sigpending",
        [RLIMIT_MSGQUEUE] = "msgqueue", [RLIMIT_NICE] = "nice",
        [RLIMIT_RTPRIO] = "rtprio",     [RLIMIT_RTTIME] = "rttime",
};

int pol_rlimit_from_name(const char *name)
{
        for (int i = 0; name && i < POL_RLIMIT_MAX; i++)
                if (rlimit_names[i] && streq(rlimit_names[i], name))
                        return i;
        return -EINVAL;
}

const char *pol_rlimit_to_name(int resource)
{
        if (resource < 0 || resource >= POL_RLIMIT_MAX)
                return NULL;
        return rlimit_names[resource];
}

/* systemd's SecureBits= words, in the kernel's bit order. */
static const struct {
        const char *name;
        unsigned bit;
} secure_bit_names[] = {
        {"noroot", SECBIT_NOROOT},
        {"noroot-locked", SECBIT_NOROOT_LOCKED},
        {"no-setuid-fixup", SECBIT_NO_SETUID_FIXUP},
        {"no-setuid-fixup-locked", SECBIT_NO_SETUID_FIXUP_LOCKED},
        {"keep-caps", SECBIT_KEEP_CAPS},
        {"keep-caps-locked", SECBIT_KEEP_CAPS_LOCKED},
};

int pol_secure_bit_from_name(const char *name)
{
        for (size_t i = 0; name && i < ELEMENTSOF(secure_bit_names); i++)
                if (streq(secure_bit_names[i].name, name))
                        return (int)secure_bit_names[i].bit;
        return -EINVAL;
}

void pol_secure_bits_describe(unsigned bits, FILE *out)
{
        fputs("secure bits:", out);
        if (bits == 0)
                fputs(" unchanged", out);
        for (size_t i = 0; i < ELEMENTSOF(secure_bit_names); i++)
                if (bits & secure_bit_names[i].bit)
                        fprintf(out, " %s", secure_bit_names[i].name);
        fputc('\n', out);
}

static void rlim_text(rlim_t v, char *buf, size_t size)
{
        if (v == RLIM_INFINITY)
                snprintf(buf, size, "infinity");
        else
                snprintf(buf, size, "%llu", (unsigned long long)v);
}

void pol_process_describe(const struct pol_config *c, FILE *out)
{
        char soft[24], hard[24];
        bool any = false;

        fprintf(out, "umask: %04o\n", (unsigned)c->umask);
        if (c->nice_given)
                fprintf(out, "nice: %d\n", c->nice);
        else
                fputs("nice: unchanged\n", out);
        if (c->oom_score_adjust_given)
                fprintf(out, "oom_score_adjust: %d\n", c->oom_score_adjust);
        else
                fputs("oom_score_adjust: unchanged\n", out);
        fputs("resource limits:", out);
        for (int i = 0; i < POL_RLIMIT_MAX; i++) {
                if (!c->rlimits[i].set)
                        continue;
                rlim_text(c->rlimits[i].value.rlim_cur, soft, sizeof(soft));
                rlim_text(c->rlimits[i].value.rlim_max, hard, sizeof(hard));
                fprintf(out, " limit_%s %s:%s;", rlimit_names[i], soft, hard);
                any = true;
        }
        fputs(any ? "\n" : " unchanged\n", out);
}

/* ---- child side: no allocation ---- */

static int write_oom_score_adjust(int value)
{
        char text[16], digits[8];
        size_t n = 0, d = 0;
        unsigned u = (unsigned)(value < 0 ? -value : value);
        int fd, r = 0;

        if (value < 0)
                text[n++] = '-';
        do {
                digits[d++] = (char)('0' + u % 10);
                u /= 10;
        } while (u > 0 && d < sizeof(digits));
        while (d > 0)
                text[n++] = digits[--d];
        fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        if (write(fd, text, n) != (ssize_t)n)
                r = negative_errno();
        safe_close(fd);
        return r;
}

static int set_rlimits(const struct pol_config *c)
{
        for (int i = 0; i < POL_RLIMIT_MAX; i++)
                if (c->rlimits[i].set && setrlimit(i, &c->rlimits[i].value) < 0)
                        return negative_errno();
        return 0;
}

static int fail_step(enum pol_step *ret_step, enum pol_step step, int r)
{
        if (ret_step)
                *ret_step = step;
        return r;
}

/*
 * systemd's order: oom_score_adj, nice, then the limits, so that a
 * limit_nice cannot forbid the nice level the same spec asks for.
 */
int pol_process_apply(const struct pol_config *c, enum pol_step *ret_step)
{
        int r;

        if (c->oom_score_adjust_given && (r = write_oom_score_adjust(c->oom_score_adjust)) < 0)
                return fail_step(ret_step, POL_STEP_OOM_SCORE_ADJUST, r);
        if (c->nice_given && setpriority(PRIO_PROCESS, 0, c->nice) < 0)
                return fail_step(ret_step, POL_STEP_NICE, negative_errno());
        if ((r = set_rlimits(c)) < 0)
                return fail_step(ret_step, POL_STEP_RLIMITS, r);
        umask(c->umask & 0777);
        return 0;
}
