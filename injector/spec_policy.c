/* SPDX-License-Identifier: MIT */
/*
 * The policy keys of spec_policy.h. Each parser replaces what its key set
 * before, so that a spec's key overrides its profile's, and an empty item
 * ("") empties a list as in systemd.
 */
#include "injector/spec_policy.h"

#include <glob.h>
#include <grp.h>
#include <inttypes.h>
#include <stdarg.h>

#include "common/strv.h"
#include "common/util.h"
#include "injector/envfile.h"
#include "injector/value.h"

#define BLANKS " \t\n"
#define LIMIT_PREFIX "limit_"

struct kctx {
        struct spec *s;
        const char *key;
        const struct ynode *v; /* the key's value */
        struct spec_key_error *err;
};

typedef int (*item_fn)(struct kctx *k, const struct ynode *item);
typedef int (*word_fn)(struct kctx *k, const struct ynode *item, const char *word);

_printf_(3, 4) static int bad(struct kctx *k, const struct ynode *at, const char *fmt, ...)
{
        va_list ap;

        k->err->at = at;
        va_start(ap, fmt);
        vsnprintf(k->err->message, sizeof(k->err->message), fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static int one_scalar(struct kctx *k, const char **ret)
{
        *ret = "";
        if (k->v->type != YNODE_SCALAR)
                return bad(k, k->v, "'%s' takes a single value, not %s", k->key,
                           ynode_type_name(k->v->type));
        *ret = k->v->value;
        return 0;
}

/* fn on each item: a list's scalars, or a lone scalar as a list of one. */
static int each_item(struct kctx *k, item_fn fn)
{
        const struct ynode *v = k->v;

        if (v->type == YNODE_MAP)
                return bad(k, v, "'%s' takes a value or a list, not a mapping", k->key);
        if (v->type == YNODE_SCALAR)
                return fn(k, v);
        for (size_t i = 0; i < v->n_kids; i++) {
                int r;

                if (v->kids[i]->type != YNODE_SCALAR)
                        return bad(k, v->kids[i], "items of '%s' must be scalars, not %s", k->key,
                                   ynode_type_name(v->kids[i]->type));
                if ((r = fn(k, v->kids[i])) < 0)
                        return r;
        }
        return 0;
}

/* fn on each space-separated word of item. */
static int each_word(struct kctx *k, const struct ynode *item, word_fn fn)
{
        _cleanup_free_ char *words = strdup(item->value);
        char *save = NULL;
        int r = 0;

        if (!words)
                return -ENOMEM;
        for (char *w = strtok_r(words, BLANKS, &save); w && r >= 0;
             w = strtok_r(NULL, BLANKS, &save))
                r = fn(k, item, w);
        return r;
}

static struct spec_mark mark_of(const struct ynode *n)
{
        return (struct spec_mark){n->line, n->column};
}

/* ---- lists of strings ---- */

static void strv_reset(char ***v)
{
        strv_free(*v);
        *v = NULL;
}

bool spec_env_name_valid(const char *s, size_t n)
{
        if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
                      (s[i] >= '0' && s[i] <= '9')))
                        return false;
        return true;
}

/* ---- environment, pass_environment, unset_environment ---- */

static int env_item(struct kctx *k, const struct ynode *item)
{
        const char *eq = strchr(item->value, '=');

        if (!item->value[0]) {
                strv_reset(&k->s->policy.environment);
                return 0;
        }
        if (!eq || !spec_env_name_valid(item->value, (size_t)(eq - item->value)))
                return bad(k, item, "'%s' takes VAR=value assignments, not '%s'", k->key,
                           item->value);
        return strv_push(&k->s->policy.environment, item->value);
}

static int pass_word(struct kctx *k, const struct ynode *item, const char *w)
{
        if (!spec_env_name_valid(w, strlen(w)))
                return bad(k, item, "'%s' takes variable names, not '%s'", k->key, w);
        if (startswith(w, "LISTEN_"))
                return bad(k, item,
                           "'%s' cannot pass %s: sockjail sets the LISTEN_* variables itself",
                           k->key, w);
        return strv_push(&k->s->policy.pass_environment, w);
}

static int pass_item(struct kctx *k, const struct ynode *item)
{
        if (!item->value[0]) {
                strv_reset(&k->s->policy.pass_environment);
                return 0;
        }
        return each_word(k, item, pass_word);
}

static int unset_item(struct kctx *k, const struct ynode *item)
{
        const char *s = item->value;

        if (!s[0]) {
                strv_reset(&k->s->policy.unset_environment);
                return 0;
        }
        if (!spec_env_name_valid(s, strcspn(s, "=")))
                return bad(k, item, "'%s' takes variable names or VAR=value assignments, not '%s'",
                           k->key, s);
        return strv_push(&k->s->policy.unset_environment, s);
}

/* ---- environment_file: read now, on the host ---- */

static int push_assignment(void *userdata, const char *key, const char *value)
{
        struct spec_policy *p = userdata;
        _cleanup_free_ char *a = NULL;

        if (asprintf(&a, "%s=%s", key, value) < 0)
                return -ENOMEM;
        return strv_push(&p->file_environment, a);
}

static int load_env_file(struct kctx *k, const struct ynode *item, const char *path, bool optional)
{
        struct envfile_error e;
        int r = envfile_load(path, push_assignment, &k->s->policy, &e);

        if (r >= 0 || (r == -ENOENT && optional))
                return 0;
        if (r == -ENOMEM)
                return r;
        if (e.line > 0)
                return bad(k, item, "environment file %s:%u: %s", path, e.line, e.message);
        return bad(k, item, "cannot read environment file %s: %s", path, e.message);
}

/* A wildcard reads every match, in order; no match is an error unless optional. */
static int env_file_item(struct kctx *k, const struct ynode *item)
{
        bool optional = item->value[0] == '-';
        const char *path = item->value + optional;
        glob_t g = {0};
        int r;

        if (!item->value[0]) {
                strv_reset(&k->s->policy.environment_files);
                strv_reset(&k->s->policy.file_environment);
                return 0;
        }
        if (path[0] != '/')
                return bad(k, item, "'%s' takes an absolute path, optionally after '-', not '%s'",
                           k->key, item->value);
        if ((r = strv_push(&k->s->policy.environment_files, item->value)) < 0)
                return r;
        if (!strpbrk(path, "*?["))
                return load_env_file(k, item, path, optional);
        r = glob(path, 0, NULL, &g);
        if (r == GLOB_NOMATCH)
                r = optional ? 0 : bad(k, item, "no environment file matches %s", path);
        else if (r != 0)
                r = -ENOMEM;
        for (size_t i = 0; r == 0 && i < g.gl_pathc; i++)
                r = load_env_file(k, item, g.gl_pathv[i], optional);
        globfree(&g);
        return r < 0 ? r : 0;
}

/* ---- supplementary_groups ---- */

static int group_word(struct kctx *k, const struct ynode *item, const char *w)
{
        struct spec_policy *p = &k->s->policy;
        struct group *gr;
        uint64_t u;
        gid_t gid, *ng;

        if (val_uint(w, 0, UINT32_MAX - 1, &u) >= 0)
                gid = (gid_t)u;
        else if ((gr = getgrnam(w)))
                gid = gr->gr_gid;
        else
                return bad(k, item, "unknown group '%s' in '%s'", w, k->key);
        for (size_t i = 0; i < p->n_supplementary_groups; i++)
                if (p->supplementary_groups[i] == gid)
                        return 0;
        ng = reallocarray(p->supplementary_groups, p->n_supplementary_groups + 1, sizeof(gid_t));
        if (!ng)
                return -ENOMEM;
        p->supplementary_groups = ng;
        ng[p->n_supplementary_groups++] = gid;
        return 0;
}

static int group_item(struct kctx *k, const struct ynode *item)
{
        if (!item->value[0]) {
                k->s->policy.n_supplementary_groups = 0;
                return 0;
        }
        return each_word(k, item, group_word);
}

/* ---- capabilities, secure bits, namespaces: words into a mask ---- */

/*
 * systemd's merging: a plain item adds its words; one starting with "~" takes
 * them away, from everything when it comes first.
 */
struct mask_words {
        uint64_t all, set;
        bool first;
        uint64_t (*bits)(const char *name); /* the word's bits, 0 when unknown */
        const char *expected;               /* for the message; NULL: capabilities */
};

static int mask_item(struct kctx *k, const struct ynode *item, struct mask_words *m)
{
        _cleanup_free_ char *words = strdup(item->value);
        bool invert = item->value[0] == '~';
        uint64_t listed = 0;
        char *save = NULL;

        if (!words)
                return -ENOMEM;
        for (char *w = strtok_r(words + invert, BLANKS, &save); w;
             w = strtok_r(NULL, BLANKS, &save)) {
                uint64_t bits = m->bits(w);

                if (!bits && !m->expected)
                        return bad(k, item, "unknown capability '%s' in '%s'", w, k->key);
                if (!bits)
                        return bad(k, item, "'%s' takes %s, not '%s'", k->key, m->expected, w);
                listed |= bits;
        }
        if (!invert && !m->expected) /* capabilities: those named must be kept too */
                k->s->policy.ambient_named |= listed;
        if (!invert)
                m->set |= listed;
        else if (m->first)
                m->set = m->all & ~listed;
        else
                m->set &= ~listed;
        m->first = false;
        return 0;
}

static int mask_list(struct kctx *k, struct mask_words *m)
{
        const struct ynode *v = k->v;

        if (v->type == YNODE_MAP)
                return bad(k, v, "'%s' takes a value or a list, not a mapping", k->key);
        if (v->type == YNODE_SCALAR)
                return mask_item(k, v, m);
        for (size_t i = 0; i < v->n_kids; i++) {
                int r;

                if (v->kids[i]->type != YNODE_SCALAR)
                        return bad(k, v->kids[i], "items of '%s' must be scalars, not %s", k->key,
                                   ynode_type_name(v->kids[i]->type));
                if ((r = mask_item(k, v->kids[i], m)) < 0)
                        return r;
        }
        return 0;
}

static uint64_t cap_bits(const char *name)
{
        int cap = pol_capability_from_name(name);

        return cap < 0 ? 0 : UINT64_C(1) << cap;
}

static uint64_t secure_bits(const char *name)
{
        int bit = pol_secure_bit_from_name(name);

        return bit < 0 ? 0 : (uint64_t)bit;
}

static uint64_t namespace_bits(const char *name)
{
        int flag = pol_namespace_from_name(name);

        return flag < 0 ? 0 : (uint64_t)flag;
}

static int p_ambient(struct kctx *k)
{
        struct mask_words m = {.all = ~UINT64_C(0), .first = true, .bits = cap_bits};
        int r;

        k->s->policy.ambient_named = 0;
        r = mask_list(k, &m);

        if (r < 0)
                return r;
        k->s->pol.ambient_given = true;
        k->s->pol.ambient_capabilities = m.set;
        k->s->policy.ambient_mark = mark_of(k->v);
        return 0;
}

static int p_secure_bits(struct kctx *k)
{
        struct mask_words m = {.all = ~UINT64_C(0),
                               .first = true,
                               .bits = secure_bits,
                               .expected = "keep-caps, keep-caps-locked, no-setuid-fixup, "
                                           "no-setuid-fixup-locked, noroot or noroot-locked"};
        int r = mask_list(k, &m);

        if (r >= 0)
                k->s->pol.secure_bits = (unsigned)m.set;
        return r;
}

static int arch_word(struct kctx *k, const struct ynode *item, const char *w)
{
        struct pol_config *p = &k->s->pol;
        int64_t token = pol_architecture_from_name(w);

        if (token < 0)
                return bad(k, item, "'%s' takes native, x86-64, x86 or x32, not '%s'", k->key, w);
        for (size_t i = 0; i < p->n_architectures; i++)
                if (p->architectures[i] == (uint32_t)token)
                        return 0;
        if (token > 0 && p->n_architectures < POL_MAX_ARCHITECTURES)
                p->architectures[p->n_architectures++] = (uint32_t)token;
        return 0;
}

static int arch_item(struct kctx *k, const struct ynode *item)
{
        if (!item->value[0]) {
                k->s->pol.n_architectures = 0;
                return 0;
        }
        return each_word(k, item, arch_word);
}

/* restrict_namespaces: a boolean, or the types still allowed ("~": those refused). */
static int p_namespaces(struct kctx *k)
{
        struct mask_words m = {.all = POL_NAMESPACES_ALL,
                               .first = true,
                               .bits = namespace_bits,
                               .expected = "a boolean or namespace types (cgroup, ipc, net, mnt, "
                                           "pid, user, uts)"};
        struct pol_config *p = &k->s->pol;
        int r;

        if (k->v->type == YNODE_SCALAR && (ynode_is_null(k->v) || val_bool(k->v->value) >= 0)) {
                p->restrict_namespaces = !ynode_is_null(k->v) && val_bool(k->v->value) == 1;
                p->allow_namespaces = 0;
                return 0;
        }
        r = mask_list(k, &m);
        if (r < 0)
                return r;
        p->allow_namespaces = (unsigned long)m.set;
        p->restrict_namespaces = m.set != POL_NAMESPACES_ALL;
        return 0;
}

/* ---- system_call_log: entries checked when the filter compiles ---- */

static int log_item(struct kctx *k, const struct ynode *item)
{
        struct pol_config *p = &k->s->pol;
        struct spec_mark *m;
        char **e;

        if (!item->value[0])
                return 0;
        e = reallocarray(p->system_call_log, p->n_system_call_log + 1, sizeof(char *));
        if (!e)
                return -ENOMEM;
        p->system_call_log = e;
        m = reallocarray(k->s->policy.log_marks, p->n_system_call_log + 1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        k->s->policy.log_marks = m;
        m[p->n_system_call_log] = mark_of(item);
        if (!(e[p->n_system_call_log] = strdup(item->value)))
                return -ENOMEM;
        p->n_system_call_log++;
        return 0;
}

static void log_reset(struct pol_config *p)
{
        for (size_t i = 0; i < p->n_system_call_log; i++)
                free(p->system_call_log[i]);
        p->n_system_call_log = 0;
}

/* ---- limit_*: "value" or "soft:hard", in the unit each one takes ---- */

enum limit_unit { UNIT_COUNT, UNIT_BYTES, UNIT_SECONDS, UNIT_USEC, UNIT_NICE };

static enum limit_unit limit_unit(int resource)
{
        switch (resource) {
        case RLIMIT_CPU:
                return UNIT_SECONDS;
        case RLIMIT_RTTIME:
                return UNIT_USEC;
        case RLIMIT_NICE:
                return UNIT_NICE;
        case RLIMIT_NOFILE:
        case RLIMIT_NPROC:
        case RLIMIT_LOCKS:
        case RLIMIT_SIGPENDING:
        case RLIMIT_RTPRIO:
                return UNIT_COUNT;
        default:
                return UNIT_BYTES;
        }
}

static const char *const unit_expected[] = {
        [UNIT_COUNT] = "a number",
        [UNIT_BYTES] = "a size such as 4096, 64K or 1G",
        [UNIT_SECONDS] = "a time span such as 30, 90s or 2min",
        [UNIT_USEC] = "a time span in microseconds such as 50000, or 50ms",
        [UNIT_NICE] = "a nice level from -20 to 19 written +N or -N, or a raw limit from 0 to 40",
};

static bool all_digits(const char *s)
{
        return *s && strspn(s, "0123456789") == strlen(s);
}

/* One side of a limit; -EINVAL when it does not parse. */
static int limit_value(enum limit_unit unit, const char *s, rlim_t *ret)
{
        uint64_t u = 0;
        int64_t i;
        int r;

        if (streq(s, "infinity")) {
                *ret = RLIM_INFINITY;
                return 0;
        }
        switch (unit) {
        case UNIT_COUNT:
                r = val_uint(s, 0, UINT64_MAX - 1, &u);
                break;
        case UNIT_BYTES:
                r = val_size(s, &u);
                break;
        case UNIT_SECONDS: /* rounded up to whole seconds, as systemd */
                r = val_timespan(s, &u);
                u = u == VAL_INFINITY ? u : u / 1000000 + (u % 1000000 != 0);
                break;
        case UNIT_USEC: /* a bare number is microseconds here */
                r = all_digits(s) ? val_uint(s, 0, UINT64_MAX - 1, &u) : val_timespan(s, &u);
                break;
        default:
                if (s[0] == '+' || s[0] == '-') {
                        r = val_int(s + (s[0] == '+'), -20, 19, &i);
                        u = (uint64_t)(20 - i);
                } else
                        r = val_uint(s, 0, 40, &u);
                break;
        }
        *ret = u >= RLIM_INFINITY ? RLIM_INFINITY : (rlim_t)u;
        return r < 0 ? -EINVAL : 0;
}

static int p_limit(struct kctx *k)
{
        int resource = pol_rlimit_from_name(k->key + strlen(LIMIT_PREFIX));
        enum limit_unit unit = limit_unit(resource);
        _cleanup_free_ char *copy = NULL;
        const char *s = NULL;
        char *hard;
        struct rlimit rl;
        int r = one_scalar(k, &s);

        if (r < 0)
                return r;
        if (!(copy = strdup(s)))
                return -ENOMEM;
        hard = strchr(copy, ':');
        if (hard)
                *hard++ = '\0';
        if (limit_value(unit, copy, &rl.rlim_cur) < 0 ||
            limit_value(unit, hard ?: copy, &rl.rlim_max) < 0 || (hard && strchr(hard, ':')))
                return bad(k, k->v, "'%s' takes %s, or infinity, optionally as soft:hard, not '%s'",
                           k->key, unit_expected[unit], s);
        if (rl.rlim_cur > rl.rlim_max)
                return bad(k, k->v, "'%s': the soft limit is above the hard one in '%s'", k->key,
                           s);
        k->s->pol.rlimits[resource] = (struct pol_rlimit){true, rl};
        return 0;
}

/* ---- nice, oom_score_adjust ---- */

static int p_int_range(struct kctx *k, int64_t min, int64_t max, bool *given, int *field)
{
        const char *s = NULL;
        int64_t i;
        int r = one_scalar(k, &s);

        if (r < 0)
                return r;
        if (val_int(s, min, max, &i) < 0)
                return bad(k, k->v, "'%s' takes a number from %" PRId64 " to %" PRId64 ", not '%s'",
                           k->key, min, max, s);
        *given = true;
        *field = (int)i;
        return 0;
}

/* ---- dispatch ---- */

static int p_environment(struct kctx *k)
{
        strv_reset(&k->s->policy.environment);
        return each_item(k, env_item);
}

static int p_environment_file(struct kctx *k)
{
        strv_reset(&k->s->policy.environment_files);
        strv_reset(&k->s->policy.file_environment);
        return each_item(k, env_file_item);
}

static int p_pass_environment(struct kctx *k)
{
        strv_reset(&k->s->policy.pass_environment);
        return each_item(k, pass_item);
}

static int p_unset_environment(struct kctx *k)
{
        strv_reset(&k->s->policy.unset_environment);
        return each_item(k, unset_item);
}

static int p_supplementary_groups(struct kctx *k)
{
        k->s->policy.n_supplementary_groups = 0;
        k->s->policy.groups_mark = mark_of(k->v);
        return each_item(k, group_item);
}

static int p_architectures(struct kctx *k)
{
        k->s->pol.n_architectures = 0;
        return each_item(k, arch_item);
}

static int p_log(struct kctx *k)
{
        log_reset(&k->s->pol);
        return each_item(k, log_item);
}

static int p_nice(struct kctx *k)
{
        return p_int_range(k, -20, 19, &k->s->pol.nice_given, &k->s->pol.nice);
}

static int p_oom_score_adjust(struct kctx *k)
{
        return p_int_range(k, -1000, 1000, &k->s->pol.oom_score_adjust_given,
                           &k->s->pol.oom_score_adjust);
}

static const struct {
        const char *key;
        int (*parse)(struct kctx *k);
} parsers[] = {
        {"environment", p_environment},
        {"environment_file", p_environment_file},
        {"pass_environment", p_pass_environment},
        {"unset_environment", p_unset_environment},
        {"supplementary_groups", p_supplementary_groups},
        {"ambient_capabilities", p_ambient},
        {"secure_bits", p_secure_bits},
        {"system_call_architectures", p_architectures},
        {"system_call_log", p_log},
        {"restrict_namespaces", p_namespaces},
        {"nice", p_nice},
        {"oom_score_adjust", p_oom_score_adjust},
};

static int (*parser_of(const char *key))(struct kctx *k)
{
        for (size_t i = 0; i < ELEMENTSOF(parsers); i++)
                if (streq(parsers[i].key, key))
                        return parsers[i].parse;
        if (startswith(key, LIMIT_PREFIX) && pol_rlimit_from_name(key + strlen(LIMIT_PREFIX)) >= 0)
                return p_limit;
        return NULL;
}

bool spec_policy_has_key(const char *key)
{
        return parser_of(key) != NULL;
}

int spec_policy_key(struct spec *s, const char *key, const struct ynode *v,
                    struct spec_key_error *err)
{
        struct kctx k = {.s = s, .key = key, .v = v, .err = err};

        int (*parse)(struct kctx * k) = parser_of(key);

        *err = (struct spec_key_error){0};
        if (!parse)
                return bad(&k, v, "unknown key '%s' in policy", key);
        return parse(&k);
}

/* ---- the whole spec ---- */

/* A capability named in ambient_capabilities must be kept; "~" ones are cut to those kept. */
static int check_ambient(struct spec *s, struct spec_mark *ret_mark, char *msg, size_t size)
{
        uint64_t extra = s->policy.ambient_named & ~s->pol.capability_bounding_set;
        char name[40];

        if (!s->pol.ambient_given || !extra)
                return 0;
        for (unsigned cap = 0; cap < 64; cap++)
                if (extra & (UINT64_C(1) << cap)) {
                        *ret_mark = s->policy.ambient_mark;
                        snprintf(msg, size,
                                 "ambient_capabilities: %s is not in capability_bounding_set (an "
                                 "ambient capability must be kept too)",
                                 pol_capability_to_name(cap, name, sizeof(name)));
                        break;
                }
        return -EINVAL;
}

/* As systemd's SupplementaryGroups=: added to the user's groups (or, with no
 * user, to the invoking process's), never replacing them. */
static int merge_groups(struct spec *s, struct spec_mark *ret_mark, char *msg, size_t size)
{
        struct spec_policy *p = &s->policy;
        struct pol_config *c = &s->pol;
        gid_t *g;
        int n;

        if (p->n_supplementary_groups == 0)
                return 0;
        if (geteuid() != 0) {
                *ret_mark = p->groups_mark;
                snprintf(msg, size, "supplementary_groups needs root");
                return -EINVAL;
        }
        if (!c->change_ids) {
                n = getgroups(0, NULL);
                g = n >= 0 ? calloc((size_t)n + 1, sizeof(gid_t)) : NULL;
                if (!g || (n = getgroups(n, g)) < 0) {
                        free(g);
                        return -ENOMEM;
                }
                free(c->groups);
                c->groups = g;
                c->n_groups = (size_t)n;
                c->change_ids = true;
                c->uid = geteuid();
                c->gid = getegid();
        }
        for (size_t i = 0; i < p->n_supplementary_groups; i++) {
                bool have = false;

                for (size_t j = 0; j < c->n_groups && !have; j++)
                        have = c->groups[j] == p->supplementary_groups[i];
                if (have)
                        continue;
                g = reallocarray(c->groups, c->n_groups + 1, sizeof(gid_t));
                if (!g)
                        return -ENOMEM;
                c->groups = g;
                g[c->n_groups++] = p->supplementary_groups[i];
        }
        return 0;
}

int spec_policy_finish(struct spec *s, struct spec_mark *ret_mark, char *msg, size_t size)
{
        int r;

        *ret_mark = (struct spec_mark){0};
        r = check_ambient(s, ret_mark, msg, size);
        if (r >= 0)
                r = merge_groups(s, ret_mark, msg, size);
        return r;
}

void spec_policy_done(struct spec_policy *p)
{
        strv_free(p->environment);
        strv_free(p->environment_files);
        strv_free(p->file_environment);
        strv_free(p->pass_environment);
        strv_free(p->unset_environment);
        free(p->supplementary_groups);
        free(p->profile);
        free(p->profile_path);
        free(p->log_marks);
        *p = (struct spec_policy){0};
}

static void print_list(const char *what, char *const *v, FILE *out)
{
        if (!v || !v[0])
                return;
        fprintf(out, "  %s:", what);
        for (size_t i = 0; v[i]; i++)
                fprintf(out, " %s", v[i]);
        fputc('\n', out);
}

void spec_policy_print(const struct spec *s, FILE *out)
{
        const struct spec_policy *p = &s->policy;
        size_t n = 0;

        if (p->profile)
                fprintf(out, "  profile: %s (%s)\n", p->profile, p->profile_path);
        else
                fputs("  profile: none (the built-in default profile)\n", out);
        print_list("pass_environment", p->pass_environment, out);
        print_list("environment", p->environment, out);
        for (size_t i = 0; p->file_environment && p->file_environment[i]; i++)
                n++;
        if (p->environment_files) {
                print_list("environment_file", p->environment_files, out);
                fprintf(out, "  environment from the files: %zu variable(s)\n", n);
        }
        print_list("unset_environment", p->unset_environment, out);
        if (p->n_supplementary_groups) {
                fputs("  supplementary_groups:", out);
                for (size_t i = 0; i < p->n_supplementary_groups; i++)
                        fprintf(out, " %u", (unsigned)p->supplementary_groups[i]);
                fputc('\n', out);
        }
}
