/* SPDX-License-Identifier: MIT */
/*
 * The policy configuration, its name tables, and the child-side steps that
 * apply it: ids, capabilities, no_new_privs, personality, seccomp.
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <strings.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cap-ng.h>

#include "common/util.h"
#include "policy/landlock.h"
#include "policy/pol.h"
#include "policy/process.h"

/* ---- configuration ---- */

static const char *const default_filter[] = {
        "@system-service",
        "~@keyring",
        /* one entry, split for the line length */
        ("~io_uring_setup io_uring_enter io_uring_register userfaultfd process_vm_readv "
         "process_vm_writev"),
};

/* The default profile; keep in sync with policy/profiles/default.yaml. */
int pol_config_init(struct pol_config *c)
{
        *c = (struct pol_config){
                .no_new_privileges = true,
                .system_call_error_number = EPERM,
                .restrict_families = true,
                .restrict_namespaces = true,
                .lock_personality = true,
                .umask = 0022,
        };
        c->system_call_filter = calloc(ELEMENTSOF(default_filter), sizeof(char *));
        c->families = malloc(sizeof(int));
        if (!c->system_call_filter || !c->families)
                goto fail;
        c->families[0] = AF_UNIX;
        c->n_families = 1;
        for (size_t i = 0; i < ELEMENTSOF(default_filter); i++) {
                c->system_call_filter[i] = strdup(default_filter[i]);
                if (!c->system_call_filter[i])
                        goto fail;
                c->n_system_call_filter++;
        }
        return 0;
fail:
        pol_config_done(c);
        return -ENOMEM;
}

void pol_config_done(struct pol_config *c)
{
        if (!c)
                return;
        for (size_t i = 0; c->system_call_filter && i < c->n_system_call_filter; i++)
                free(c->system_call_filter[i]);
        free(c->system_call_filter);
        for (size_t i = 0; c->system_call_log && i < c->n_system_call_log; i++)
                free(c->system_call_log[i]);
        free(c->system_call_log);
        free(c->families);
        free(c->groups);
        *c = (struct pol_config){0};
}

/* ---- names ---- */

#define F(x) [x] = #x
static const char *const family_names[AF_MAX] = {
        F(AF_UNSPEC),    F(AF_UNIX),       F(AF_INET),    F(AF_AX25),    F(AF_IPX),
        F(AF_APPLETALK), F(AF_NETROM),     F(AF_BRIDGE),  F(AF_ATMPVC),  F(AF_X25),
        F(AF_INET6),     F(AF_ROSE),       F(AF_DECnet),  F(AF_NETBEUI), F(AF_SECURITY),
        F(AF_KEY),       F(AF_NETLINK),    F(AF_PACKET),  F(AF_ASH),     F(AF_ECONET),
        F(AF_ATMSVC),    F(AF_RDS),        F(AF_SNA),     F(AF_IRDA),    F(AF_PPPOX),
        F(AF_WANPIPE),   F(AF_LLC),        F(AF_IB),      F(AF_MPLS),    F(AF_CAN),
        F(AF_TIPC),      F(AF_BLUETOOTH),  F(AF_IUCV),    F(AF_RXRPC),   F(AF_ISDN),
        F(AF_PHONET),    F(AF_IEEE802154), F(AF_CAIF),    F(AF_ALG),     F(AF_NFC),
        F(AF_VSOCK),     F(AF_KCM),        F(AF_QIPCRTR), F(AF_SMC),     F(AF_XDP),
#ifdef AF_MCTP
        F(AF_MCTP),
#endif
};
#undef F

/* systemd's spelling, exact case; AF_LOCAL and AF_ROUTE are the libc aliases. */
int pol_family_from_name(const char *name)
{
        if (!name)
                return -EINVAL;
        if (streq(name, "AF_LOCAL"))
                return AF_LOCAL;
        if (streq(name, "AF_ROUTE"))
                return AF_ROUTE;
        for (int af = 0; af < AF_MAX; af++)
                if (family_names[af] && streq(family_names[af], name))
                        return af;
        return -EINVAL;
}

const char *pol_family_to_name(int af)
{
        if (af < 0 || af >= AF_MAX)
                return NULL;
        return family_names[af];
}

/* "CAP_NET_ADMIN", "cap_net_admin" and "net_admin" all name capability 12. */
int pol_capability_from_name(const char *name)
{
        char lower[64];
        size_t i;

        if (!name)
                return -EINVAL;
        if (strncasecmp(name, "cap_", 4) == 0)
                name += 4;
        for (i = 0; name[i] && i + 1 < sizeof(lower); i++)
                lower[i] = (char)tolower((unsigned char)name[i]);
        if (i == 0 || name[i])
                return -EINVAL;
        lower[i] = 0;

        int cap = capng_name_to_capability(lower);
        /* capability_bounding_set is a 64-bit mask. */
        if (cap < 0 || cap >= 64)
                return -EINVAL;
        return cap;
}

const char *pol_capability_to_name(unsigned cap, char *buf, size_t size)
{
        const char *name = capng_capability_to_name(cap);
        size_t i;

        if (!name) {
                snprintf(buf, size, "%u", cap);
                return buf;
        }
        i = (size_t)snprintf(buf, size, "CAP_");
        for (; *name && i + 1 < size; name++)
                buf[i++] = (char)toupper((unsigned char)*name);
        buf[i < size ? i : size - 1] = '\0';
        return buf;
}

static const char *const step_names[_POL_STEP_MAX] = {
        [POL_STEP_NONE] = "none",
        [POL_STEP_GROUPS] = "setgroups",
        [POL_STEP_GID] = "setgid",
        [POL_STEP_UID] = "setuid",
        [POL_STEP_CAPS] = "drop capabilities",
        [POL_STEP_NO_NEW_PRIVS] = "set no_new_privs",
        [POL_STEP_PERSONALITY] = "lock personality",
        [POL_STEP_SECCOMP] = "load seccomp filter",
        [POL_STEP_LANDLOCK] = "deny TCP through the passed sockets (Landlock)",
        [POL_STEP_OOM_SCORE_ADJUST] = "write /proc/self/oom_score_adj",
        [POL_STEP_NICE] = "set the nice level",
        [POL_STEP_RLIMITS] = "set resource limits",
        [POL_STEP_SECURE_BITS] = "set secure bits",
};

const char *pol_step_name(enum pol_step step)
{
        if ((unsigned)step >= _POL_STEP_MAX)
                return "unknown step";
        return step_names[step];
}

/* ---- child side: no allocation, no printing from here on ---- */

static bool cap_kept(const struct pol_config *c, unsigned cap)
{
        return cap < 64 && (c->capability_bounding_set & (UINT64_C(1) << cap));
}

/*
 * Drop every bounding-set capability not kept. Needs CAP_SETPCAP, so this runs
 * before setuid. The kernel's last capability is where PR_CAPBSET_READ starts
 * failing with EINVAL; a bit already clear needs no privilege.
 */
static int drop_bounding_set(const struct pol_config *c)
{
        for (unsigned cap = 0; cap < 64; cap++) {
                int r = prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0);
                if (r < 0 && errno == EINVAL)
                        break;
                if (r < 0)
                        return negative_errno();
                if (r == 0 || cap_kept(c, cap))
                        continue;
                if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0)
                        return negative_errno();
        }
        return 0;
}

/* Permitted, effective and inheritable become exactly the kept set. */
static int set_process_caps(const struct pol_config *c)
{
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {{0}};

        for (unsigned i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
                uint32_t bits = (uint32_t)(c->capability_bounding_set >> (32 * i));
                data[i].permitted = data[i].effective = data[i].inheritable = bits;
        }
        /* glibc has no capset() wrapper, and capng_apply() would first set up its own state. */
        if (syscall(SYS_capset, &hdr, data) < 0)
                return negative_errno();
        return 0;
}

/*
 * Ambient caps survive execve for a non-root uid: clear all, raise those of
 * ambient_capabilities, or when that is not given every kept one.
 */
static int set_ambient_caps(const struct pol_config *c)
{
        uint64_t ambient = c->ambient_given ? c->ambient_capabilities & c->capability_bounding_set
                                            : c->capability_bounding_set;

        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
                return errno == EINVAL && !ambient ? 0 : negative_errno(); /* < 4.3: none */
        for (unsigned cap = 0; cap < 64; cap++)
                if ((ambient & (UINT64_C(1) << cap)) &&
                    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0) < 0)
                        return negative_errno();
        return 0;
}

static int fail_at(enum pol_step *ret_step, enum pol_step step, int r)
{
        if (ret_step)
                *ret_step = step;
        return r;
}

static int set_groups_and_gid(const struct pol_config *c, enum pol_step *ret_step)
{
        if (c->n_groups > 0 && !c->groups)
                return fail_at(ret_step, POL_STEP_GROUPS, -EINVAL);
        if (setgroups(c->n_groups, c->n_groups > 0 ? c->groups : NULL) < 0)
                return fail_at(ret_step, POL_STEP_GROUPS, negative_errno());
        if (setresgid(c->gid, c->gid, c->gid) < 0)
                return fail_at(ret_step, POL_STEP_GID, negative_errno());
        return 0;
}

/*
 * setresuid away from root clears permitted and effective unless keep-caps is
 * set; keep them only when some capability is meant to survive. The secure
 * bits go in while CAP_SETPCAP is still effective, with keep-caps added for
 * that switch as systemd does (execve clears keep-caps again, locked or not).
 */
static int set_secure_bits(const struct pol_config *c, enum pol_step *ret_step)
{
        bool keep = c->change_ids && c->capability_bounding_set != 0;
        unsigned long bits = c->secure_bits | (keep ? SECBIT_KEEP_CAPS : 0);

        if (c->secure_bits == 0) {
                if (keep && prctl(PR_SET_KEEPCAPS, 1UL, 0, 0, 0) < 0)
                        return fail_at(ret_step, POL_STEP_CAPS, negative_errno());
                return 0;
        }
        if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) < 0)
                return fail_at(ret_step, POL_STEP_SECURE_BITS, negative_errno());
        return 0;
}

static int set_uid(const struct pol_config *c, enum pol_step *ret_step)
{
        if (setresuid(c->uid, c->uid, c->uid) < 0)
                return fail_at(ret_step, POL_STEP_UID, negative_errno());
        return 0;
}

static int lock_personality(void)
{
        int cur = personality(0xffffffff);

        if (cur < 0)
                return negative_errno();
        /* The filter lets only PER_LINUX through: make sure that is what we run as. */
        if ((cur & PER_MASK) != PER_LINUX &&
            personality((unsigned long)((cur & ~PER_MASK) | PER_LINUX)) < 0)
                return negative_errno();
        return 0;
}

/*
 * Order matters: limits and priorities first, while raising them is still
 * allowed; the bounding set and the secure bits while CAP_SETPCAP is still
 * held (before setuid); the filter last so it need not allow capset, setuid
 * or prctl.
 */
int pol_apply(const struct pol_config *c, const struct pol_filter *f, enum pol_step *ret_step)
{
        int r = pol_apply_but_filter(c, f != NULL, ret_step);

        if (r >= 0 && f && (r = pol_filter_load(f)) < 0)
                return fail_at(ret_step, POL_STEP_SECCOMP, r);
        return r;
}

int pol_apply_but_filter(const struct pol_config *c, bool filter_follows, enum pol_step *ret_step)
{
        int r;

        if (ret_step)
                *ret_step = POL_STEP_NONE;
        if ((r = pol_process_apply(c, ret_step)) < 0)
                return r;
        if (c->change_ids && (r = set_groups_and_gid(c, ret_step)) < 0)
                return r;
        if ((r = drop_bounding_set(c)) < 0)
                return fail_at(ret_step, POL_STEP_CAPS, r);
        if ((r = set_secure_bits(c, ret_step)) < 0)
                return r;
        if (c->change_ids && (r = set_uid(c, ret_step)) < 0)
                return r;
        if ((r = set_process_caps(c)) < 0 || (r = set_ambient_caps(c)) < 0)
                return fail_at(ret_step, POL_STEP_CAPS, r);
        if ((c->no_new_privileges || filter_follows) &&
            prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0, 0, 0) < 0)
                return fail_at(ret_step, POL_STEP_NO_NEW_PRIVS, negative_errno());
        if (c->lock_personality && (r = lock_personality()) < 0)
                return fail_at(ret_step, POL_STEP_PERSONALITY, r);
        /* Before the filter, which need not allow the landlock calls then. */
        if (pol_denies_inet(c) && (r = pol_landlock_deny_tcp()) < 0)
                return fail_at(ret_step, POL_STEP_LANDLOCK, r);
        return 0;
}
