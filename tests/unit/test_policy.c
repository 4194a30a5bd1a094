/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for policy/: name tables, filter build errors, the plan printed
 * by pol_describe, and live tests on the real kernel (run as root). A live
 * test forks a child that applies a policy with pol_apply, tries calls and
 * reports each errno over a pipe; the parent compares them with a table.
 * Every child is bounded by alarm().
 */
#include <setjmp.h> /* cmocka needs these before it */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <yaml.h>

#include "common/util.h"
#include "policy/groups.h"
#include "policy/landlock.h"
#include "policy/pol.h"

#define CHILD_TIMEOUT 10 /* seconds before a stuck child is killed by SIGALRM */
#define X32_SYSCALL_BIT 0x40000000L

/* ---- name tables ---- */

struct name_row {
        const char *name;
        int expect;
};

static void test_family_names_map_to_numbers(void **state)
{
        (void)state;
        static const struct name_row rows[] = {
                {"AF_UNSPEC", AF_UNSPEC}, {"AF_UNIX", AF_UNIX},
                {"AF_LOCAL", AF_UNIX},    {"AF_INET", AF_INET},
                {"AF_INET6", AF_INET6},   {"AF_NETLINK", AF_NETLINK},
                {"AF_ROUTE", AF_NETLINK}, {"AF_PACKET", AF_PACKET},
                {"AF_VSOCK", AF_VSOCK},   {"AF_BLUETOOTH", 31},
                {"AF_ALG", AF_ALG},       {"AF_XDP", AF_XDP},
                {"af_unix", -EINVAL},     {"AF_UNIXX", -EINVAL},
                {"UNIX", -EINVAL},        {"", -EINVAL},
                {"1", -EINVAL},           {"AF_MAX", -EINVAL},
        };

        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                int r = pol_family_from_name(rows[i].name);
                if (r != rows[i].expect)
                        fail_msg("family '%s': got %d, want %d", rows[i].name, r, rows[i].expect);
        }
        assert_int_equal(pol_family_from_name(NULL), -EINVAL);
}

static void test_every_family_number_round_trips_through_its_name(void **state)
{
        (void)state;
        for (int af = 0; af < AF_MAX; af++) {
                const char *name = pol_family_to_name(af);
                if (!name)
                        fail_msg("family %d has no name", af);
                assert_int_equal(pol_family_from_name(name), af);
        }
        assert_string_equal(pol_family_to_name(AF_UNIX), "AF_UNIX");
        assert_null(pol_family_to_name(-1));
        assert_null(pol_family_to_name(AF_MAX));
}

static void test_capability_names_accept_prefix_and_any_case(void **state)
{
        (void)state;
        static const struct name_row rows[] = {
                {"CAP_NET_BIND_SERVICE", CAP_NET_BIND_SERVICE},
                {"cap_net_bind_service", CAP_NET_BIND_SERVICE},
                {"net_bind_service", CAP_NET_BIND_SERVICE},
                {"NET_ADMIN", CAP_NET_ADMIN},
                {"Cap_Sys_Admin", CAP_SYS_ADMIN},
                {"chown", CAP_CHOWN},
                {"CAP_CHECKPOINT_RESTORE", 40},
                {"CAP_", -EINVAL},
                {"", -EINVAL},
                {"CAP_BOGUS", -EINVAL},
                {"12", -EINVAL},
                {"CAP_NET_BIND_SERVICE_AND_A_NAME_FAR_TOO_LONG_FOR_ANY_BUFFER_AT_ALL_REALLY",
                 -EINVAL},
        };

        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                int r = pol_capability_from_name(rows[i].name);
                if (r != rows[i].expect)
                        fail_msg("capability '%s': got %d, want %d", rows[i].name, r,
                                 rows[i].expect);
        }
        assert_int_equal(pol_capability_from_name(NULL), -EINVAL);
}

static void test_errno_names_and_numbers_parse(void **state)
{
        (void)state;
        static const struct name_row rows[] = {
                {"EPERM", EPERM},
                {"EACCES", EACCES},
                {"EUCLEAN", EUCLEAN},
                {"EAFNOSUPPORT", 97},
                {"EHWPOISON", EHWPOISON},
                {"EWOULDBLOCK", EAGAIN},
                {"EDEADLOCK", EDEADLK},
                {"ENOTSUP", EOPNOTSUPP},
                {"ENOSYS", ENOSYS},
                {"0", 0},
                {"1", 1},
                {"4095", 4095},
                {"0042", 42},
                {"4096", -EINVAL},
                {"-1", -EINVAL},
                {"+1", -EINVAL},
                {" 1", -EINVAL},
                {"1x", -EINVAL},
                {"eperm", -EINVAL},
                {"EBOGUS", -EINVAL},
                {"", -EINVAL},
                {"99999999999", -EINVAL},
        };

        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                int r = pol_errno_from_name(rows[i].name);
                if (r != rows[i].expect)
                        fail_msg("errno '%s': got %d, want %d", rows[i].name, r, rows[i].expect);
        }
        assert_int_equal(pol_errno_from_name(NULL), -EINVAL);
}

static void test_step_names_are_short_and_distinct(void **state)
{
        (void)state;
        assert_string_equal(pol_step_name(POL_STEP_GROUPS), "setgroups");
        assert_string_equal(pol_step_name(POL_STEP_GID), "setgid");
        assert_string_equal(pol_step_name(POL_STEP_UID), "setuid");
        assert_string_equal(pol_step_name(POL_STEP_CAPS), "drop capabilities");
        assert_string_equal(pol_step_name(POL_STEP_NO_NEW_PRIVS), "set no_new_privs");
        assert_string_equal(pol_step_name(POL_STEP_PERSONALITY), "lock personality");
        assert_string_equal(pol_step_name(POL_STEP_SECCOMP), "load seccomp filter");
        for (int a = 0; a < _POL_STEP_MAX; a++)
                for (int b = a + 1; b < _POL_STEP_MAX; b++)
                        assert_string_not_equal(pol_step_name(a), pol_step_name(b));
        assert_non_null(pol_step_name(_POL_STEP_MAX));
        assert_non_null(pol_step_name((enum pol_step) - 1));
}

/* ---- groups ---- */

static void test_groups_hold_systemds_sets(void **state)
{
        (void)state;
        assert_string_equal(pol_group_members("@keyring"), "add_key keyctl request_key");
        assert_string_equal(pol_group_members("@swap"), "swapoff swapon");
        assert_null(pol_group_members("@nope"));
        assert_null(pol_group_members("keyring"));
        assert_non_null(strstr(pol_group_members("@system-service"), "@default"));
        assert_non_null(strstr(pol_group_members("@system-service"), "@network-io"));
        assert_null(strstr(pol_group_members("@system-service"), "@mount"));
        assert_string_equal(pol_group_find("@mount")->description,
                            "Mounting and unmounting of file systems");
        assert_int_equal(pol_n_groups, 29);
}

static void test_every_nested_group_reference_resolves(void **state)
{
        (void)state;
        for (size_t i = 0; i < pol_n_groups; i++) {
                const char *p = pol_groups[i].members;
                assert_true(pol_groups[i].name[0] == '@');
                while ((p = strchr(p, '@'))) {
                        char name[64];
                        size_t len = strcspn(p, " ");
                        assert_true(len < sizeof(name));
                        memcpy(name, p, len);
                        name[len] = 0;
                        if (!pol_group_find(name))
                                fail_msg("%s names unknown group %s", pol_groups[i].name, name);
                        p += len;
                }
        }
}

/* ---- building the filter ---- */

struct build_row {
        const char *what;
        const char *entries[4];
        int expect;
        size_t bad_entry;
        const char *bad_word;
};

static int build_entries(const char *const *entries, size_t *bad_entry, char **bad_word)
{
        struct pol_config c;
        struct pol_filter *f = NULL;
        size_t n = 0;
        int r;

        assert_int_equal(pol_config_init(&c), 0);
        while (n < 4 && entries[n])
                n++;
        /* Borrow the strings: the config must not free them. */
        char **saved = c.system_call_filter;
        size_t n_saved = c.n_system_call_filter;
        c.system_call_filter = (char **)entries;
        c.n_system_call_filter = n;
        r = pol_filter_build(&c, &f, bad_entry, bad_word);
        c.system_call_filter = saved;
        c.n_system_call_filter = n_saved;
        pol_filter_free(f);
        pol_config_done(&c);
        return r;
}

static void test_filter_build_reports_the_bad_entry_and_word(void **state)
{
        (void)state;
        static const struct build_row rows[] =
        { {"unknown syscall",
           {"@system-service", "read bogus_call write"},
           -EINVAL,
           1,
           "bogus_call"},
          {"unknown group", {"@nonexistent"}, -EINVAL, 0, "@nonexistent"},
          {"unknown errno name", {"~mount:EBOGUS"}, -EINVAL, 0, "mount:EBOGUS"},
          {"errno out of range", {"~mount:4096"}, -EINVAL, 0, "mount:4096"},
          {"errno on an allowed name", {"@default", "read:EPERM"}, -EINVAL, 1, "read:EPERM"},
          {"empty name", {"~:EPERM"}, -EINVAL, 0, ":EPERM"},
          {"bad word in a later deny entry", {"~@mount", "~@clock bogus"}, -EINVAL, 1, "bogus"},
          {"unknown name in a re-allow entry", {"~@mount", "umount3"}, -EINVAL, 1, "umount3"},
          {"valid allow list",
           {"@system-service", "~@keyring", "~mount:EUCLEAN"},
           0,
           SIZE_MAX,
           NULL},
          {"valid deny list with kill",
           {"~@mount:kill", "umount2", "~ptrace:0"},
           0,
           SIZE_MAX,
           NULL},
          {"empty deny list", {"~"}, 0, SIZE_MAX, NULL},
          {"no entries at all", {NULL}, 0, SIZE_MAX, NULL},
#if defined(__x86_64__)
          /* known to libseccomp but absent on x86_64: accepted, like systemd */
          {"name of another architecture", {"~socketcall"}, 0, SIZE_MAX, NULL},
#endif
        };

        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                size_t bad_entry = 12345;
                char *bad_word = (char *)"sentinel";
                int r = build_entries(rows[i].entries, &bad_entry, &bad_word);

                if (r != rows[i].expect || bad_entry != rows[i].bad_entry)
                        fail_msg("%s: got %d at entry %zu, want %d at %zu", rows[i].what, r,
                                 bad_entry, rows[i].expect, rows[i].bad_entry);
                if (rows[i].bad_word)
                        assert_string_equal(bad_word, rows[i].bad_word);
                else
                        assert_null(bad_word);
                free(bad_word);
        }
}

static void test_filter_build_rejects_bad_settings_outside_the_filter(void **state)
{
        (void)state;
        struct pol_config c;
        struct pol_filter *f = NULL;
        size_t bad_entry = 0;
        char *bad_word = NULL;

        assert_int_equal(pol_config_init(&c), 0);
        c.families[0] = AF_MAX;
        assert_int_equal(pol_filter_build(&c, &f, &bad_entry, &bad_word), -EINVAL);
        assert_int_equal(bad_entry, SIZE_MAX);
        assert_null(bad_word);
        c.families[0] = AF_UNIX;
        c.system_call_error_number = 4096;
        assert_int_equal(pol_filter_build(&c, &f, NULL, NULL), -EINVAL);
        assert_null(f);
        c.system_call_error_number = EPERM;
        assert_int_equal(pol_filter_build(&c, &f, NULL, NULL), 0);
        assert_non_null(f);
        pol_filter_free(f);
        pol_filter_free(NULL);
        pol_config_done(&c);
}

static void test_default_config_matches_the_documented_profile(void **state)
{
        (void)state;
        struct pol_config c;

        assert_int_equal(pol_config_init(&c), 0);
        assert_false(c.change_ids);
        assert_true(c.no_new_privileges);
        assert_int_equal(c.capability_bounding_set, 0);
        assert_int_equal(c.n_system_call_filter, 3);
        assert_string_equal(c.system_call_filter[0], "@system-service");
        assert_string_equal(c.system_call_filter[1], "~@keyring");
        assert_string_equal(c.system_call_filter[2],
                            "~io_uring_setup io_uring_enter io_uring_register userfaultfd "
                            "process_vm_readv process_vm_writev");
        assert_int_equal(c.system_call_error_number, EPERM);
        assert_true(c.restrict_families);
        assert_false(c.deny_families);
        assert_int_equal(c.n_families, 1);
        assert_int_equal(c.families[0], AF_UNIX);
        assert_true(c.restrict_namespaces);
        assert_true(c.lock_personality);
        pol_config_done(&c);
        pol_config_done(&c); /* idempotent */
}

/* ---- the profile files state what the code does ---- */

static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
        assert_int_equal(map->type, YAML_MAPPING_NODE);
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
             p++) {
                yaml_node_t *k = yaml_document_get_node(d, p->key);
                if (k->type == YAML_SCALAR_NODE && streq((char *)k->data.scalar.value, key))
                        return yaml_document_get_node(d, p->value);
        }
        fail_msg("profile lacks key '%s'", key);
        return NULL;
}

/* An optional key: NULL when the profile leaves it out. */
static yaml_node_t *map_find(yaml_document_t *d, yaml_node_t *map, const char *key)
{
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
             p++) {
                yaml_node_t *k = yaml_document_get_node(d, p->key);
                if (k->type == YAML_SCALAR_NODE && streq((char *)k->data.scalar.value, key))
                        return yaml_document_get_node(d, p->value);
        }
        return NULL;
}

static const char *scalar_of(yaml_node_t *n)
{
        assert_int_equal(n->type, YAML_SCALAR_NODE);
        return (const char *)n->data.scalar.value;
}

static bool bool_of(yaml_node_t *n)
{
        const char *s = scalar_of(n);
        assert_true(streq(s, "true") || streq(s, "false"));
        return streq(s, "true");
}

static size_t seq_len(yaml_node_t *n)
{
        assert_int_equal(n->type, YAML_SEQUENCE_NODE);
        return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static const char *seq_item(yaml_document_t *d, yaml_node_t *n, size_t i)
{
        return scalar_of(yaml_document_get_node(d, n->data.sequence.items.start[i]));
}

/* Just enough of the spec syntax for the profiles: the keys and forms they use. */
static void profile_to_config(yaml_document_t *d, yaml_node_t *pol, struct pol_config *c)
{
        yaml_node_t *n;

        *c = (struct pol_config){.restrict_families = true};
        c->no_new_privileges = bool_of(map_get(d, pol, "no_new_privileges"));
        c->restrict_namespaces = bool_of(map_get(d, pol, "restrict_namespaces"));
        c->lock_personality = bool_of(map_get(d, pol, "lock_personality"));
        c->system_call_error_number =
                pol_errno_from_name(scalar_of(map_get(d, pol, "system_call_error_number")));
        n = map_get(d, pol, "capability_bounding_set");
        for (size_t i = 0; i < seq_len(n); i++)
                c->capability_bounding_set |= UINT64_C(1)
                                              << pol_capability_from_name(seq_item(d, n, i));
        n = map_get(d, pol, "restrict_address_families");
        c->n_families = seq_len(n);
        c->families = calloc(c->n_families + 1, sizeof(int));
        for (size_t i = 0; i < c->n_families; i++)
                c->families[i] = pol_family_from_name(seq_item(d, n, i));
        n = map_get(d, pol, "system_call_filter");
        c->n_system_call_filter = seq_len(n);
        c->system_call_filter = calloc(c->n_system_call_filter + 1, sizeof(char *));
        for (size_t i = 0; i < c->n_system_call_filter; i++)
                c->system_call_filter[i] = strdup(seq_item(d, n, i));
        n = map_get(d, pol, "system_call_architectures");
        assert_int_equal(seq_len(n), 1);
        assert_string_equal(seq_item(d, n, 0), "native");
        c->memory_deny_write_execute = bool_of(map_get(d, pol, "memory_deny_write_execute"));
        c->restrict_realtime = bool_of(map_get(d, pol, "restrict_realtime"));
        c->restrict_suid_sgid = bool_of(map_get(d, pol, "restrict_suid_sgid"));
        c->umask = (mode_t)strtoul(scalar_of(map_get(d, pol, "umask")), NULL, 8);
        if ((n = map_find(d, pol, "limit_core")))
                c->rlimits[RLIMIT_CORE] = (struct pol_rlimit){true, {0, 0}};
        if (n)
                assert_string_equal(scalar_of(n), "0");
}

static void load_profile(const char *name, struct pol_config *c)
{
        const char *top = getenv("TOP");
        char path[4096];
        yaml_parser_t parser;
        yaml_document_t doc;

        /* tests/run.sh exports TOP; make runs the tests from the top directory. */
        snprintf(path, sizeof(path), "%s/policy/profiles/%s", top ? top : ".", name);
        FILE *f = fopen(path, "re");
        if (!f)
                fail_msg("cannot open %s: %s", path, strerror(errno));
        assert_true(yaml_parser_initialize(&parser));
        yaml_parser_set_input_file(&parser, f);
        if (!yaml_parser_load(&parser, &doc))
                fail_msg("%s: %s", path, parser.problem);
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        assert_non_null(root);
        profile_to_config(&doc, map_get(&doc, root, "policy"), c);
        yaml_document_delete(&doc);
        yaml_parser_delete(&parser);
        fclose(f);
}

static void test_default_yaml_states_exactly_the_built_in_defaults(void **state)
{
        (void)state;
        struct pol_config file, code;

        load_profile("default.yaml", &file);
        assert_int_equal(pol_config_init(&code), 0);
        assert_int_equal(file.no_new_privileges, code.no_new_privileges);
        assert_int_equal(file.capability_bounding_set, code.capability_bounding_set);
        assert_int_equal(file.restrict_families, code.restrict_families);
        assert_int_equal(file.n_families, code.n_families);
        for (size_t i = 0; i < code.n_families; i++)
                assert_int_equal(file.families[i], code.families[i]);
        assert_int_equal(file.restrict_namespaces, code.restrict_namespaces);
        assert_int_equal(file.lock_personality, code.lock_personality);
        assert_int_equal(file.system_call_error_number, code.system_call_error_number);
        assert_int_equal(file.n_system_call_filter, code.n_system_call_filter);
        for (size_t i = 0; i < code.n_system_call_filter; i++)
                assert_string_equal(file.system_call_filter[i], code.system_call_filter[i]);
        assert_int_equal(file.memory_deny_write_execute, code.memory_deny_write_execute);
        assert_int_equal(file.restrict_realtime, code.restrict_realtime);
        assert_int_equal(file.restrict_suid_sgid, code.restrict_suid_sgid);
        assert_int_equal(file.umask, code.umask);
        assert_int_equal(code.n_architectures, 0);
        assert_false(file.rlimits[RLIMIT_CORE].set);
        pol_config_done(&file);
        pol_config_done(&code);
}

/* ---- describe ---- */

static char *describe(const struct pol_config *c, int *ret)
{
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        assert_non_null(f);
        *ret = pol_describe(c, f);
        assert_int_equal(fclose(f), 0);
        return text;
}

static void test_describe_prints_the_default_plan_deterministically(void **state)
{
        (void)state;
        static const char *const lines[] = {
                "user: unchanged\n",
                "no_new_privileges: yes\n",
                "capabilities: none\n",
                "address families: AF_UNIX (",
                "personality: locked to PER_LINUX\n",
                "system call filter: allow list, anything not listed: EPERM\n",
                "  allow   read\n",
                "  allow   execve\n",
                "  EPERM   add_key\n",
                "  EPERM   keyctl\n",
                "  EPERM   io_uring_setup\n",
                "  EPERM   userfaultfd\n",
                "  EPERM   process_vm_writev\n",
                "  EPERM   unshare\n",
                "  EPERM   setns\n",
                "  ENOSYS  clone3\n",
                "  allow   clone (with any CLONE_NEW* flag: EPERM)\n",
                "  allow   socket (",
        };
        struct pol_config c;
        int r;

        assert_int_equal(pol_config_init(&c), 0);
        char *a = describe(&c, &r);
        assert_int_equal(r, 0);
        char *b = describe(&c, &r);
        assert_string_equal(a, b);
        for (size_t i = 0; i < ELEMENTSOF(lines); i++)
                if (!strstr(a, lines[i]))
                        fail_msg("plan lacks '%s':\n%s", lines[i], a);
        assert_null(strstr(a, "mount\n")); /* not listed: falls to the default */
        assert_true(strstr(a, "  allow   accept\n") < strstr(a, "  allow   write\n"));
        free(a);
        free(b);
        pol_config_done(&c);
}

static void test_describe_names_ids_and_kept_capabilities(void **state)
{
        (void)state;
        struct pol_config c;
        gid_t groups[] = {65534, 100};
        int r;

        assert_int_equal(pol_config_init(&c), 0);
        c.change_ids = true;
        c.uid = c.gid = 65534;
        c.groups = malloc(sizeof(groups));
        memcpy(c.groups, groups, sizeof(groups));
        c.n_groups = 2;
        c.capability_bounding_set = UINT64_C(1) << CAP_NET_BIND_SERVICE | UINT64_C(1) << CAP_CHOWN;
        c.system_call_error_number = 0;
        c.deny_families = true;
        c.families[0] = AF_PACKET;
        char *text = describe(&c, &r);
        assert_int_equal(r, 0);
        assert_non_null(
                strstr(text, "user: uid 65534, gid 65534, supplementary groups: 65534 100\n"));
        assert_non_null(strstr(text, "capabilities: CAP_CHOWN CAP_NET_BIND_SERVICE\n"));
        assert_non_null(strstr(text, "address families: any but AF_PACKET ("));
        assert_non_null(strstr(text, "anything not listed: kill\n"));
        assert_non_null(strstr(text, "  kill    add_key\n"));
        free(text);
        pol_config_done(&c);
}

static void test_describe_refuses_an_invalid_filter(void **state)
{
        (void)state;
        struct pol_config c;
        int r;

        assert_int_equal(pol_config_init(&c), 0);
        free(c.system_call_filter[1]);
        c.system_call_filter[1] = strdup("~@nokeyring");
        free(describe(&c, &r));
        assert_int_equal(r, -EINVAL);
        pol_config_done(&c);
}

/* ---- the new keys' names and plan lines ---- */

static void test_process_and_restriction_names(void **state)
{
        (void)state;
        assert_int_equal(pol_rlimit_from_name("nofile"), RLIMIT_NOFILE);
        assert_int_equal(pol_rlimit_from_name("rttime"), RLIMIT_RTTIME);
        assert_int_equal(pol_rlimit_from_name("NOFILE"), -EINVAL);
        assert_int_equal(pol_rlimit_from_name(NULL), -EINVAL);
        for (int i = 0; i < POL_RLIMIT_MAX; i++)
                assert_int_equal(pol_rlimit_from_name(pol_rlimit_to_name(i)), i);
        assert_null(pol_rlimit_to_name(POL_RLIMIT_MAX));
        assert_int_equal(pol_secure_bit_from_name("keep-caps"), SECBIT_KEEP_CAPS);
        assert_int_equal(pol_secure_bit_from_name("no-setuid-fixup-locked"),
                         SECBIT_NO_SETUID_FIXUP_LOCKED);
        assert_int_equal(pol_secure_bit_from_name("keep_caps"), -EINVAL);
        assert_int_equal(pol_namespace_from_name("mnt"), CLONE_NEWNS);
        assert_int_equal(pol_namespace_from_name("cgroup"), CLONE_NEWCGROUP);
        assert_int_equal(pol_namespace_from_name("time"), -EINVAL);
        assert_int_equal(pol_architecture_from_name("native"), 0);
#if defined(__x86_64__)
        assert_int_equal(pol_architecture_from_name("x86-64"), 0); /* the native one */
        assert_true(pol_architecture_from_name("x86") > 0);
        assert_true(pol_architecture_from_name("x32") > 0);
#endif
        assert_int_equal(pol_architecture_from_name("x86_64"), -EINVAL);
        assert_int_equal(pol_architecture_from_name("arm64"), -EINVAL);
        assert_string_equal(pol_step_name(POL_STEP_RLIMITS), "set resource limits");
        assert_string_equal(pol_step_name(POL_STEP_SECURE_BITS), "set secure bits");
}

static void test_describe_shows_the_process_and_restriction_keys(void **state)
{
        (void)state;
        static const char *const lines[] = {
                "umask: 0027\n",
                "nice: 5\n",
                "oom_score_adjust: -10\n",
                "resource limits: limit_core 0:infinity; limit_nofile 100:200;\n",
                "secure bits: noroot noroot-locked\n",
                "ambient capabilities: CAP_NET_BIND_SERVICE\n",
                "memory_deny_write_execute: yes, restrict_realtime: yes, restrict_suid_sgid: yes\n",
                "namespaces: only net user (",
                "system calls logged: getppid\n",
                "  allow   mmap (PROT_WRITE with PROT_EXEC: EPERM)\n",
                "  allow   mprotect (PROT_EXEC: EPERM)\n",
                "  allow   sched_setscheduler (realtime policies: EPERM)\n",
                "  EPERM   sched_setattr\n",
                "  allow   fchmodat (setting S_ISUID or S_ISGID: EPERM)\n",
                "  ENOSYS  openat2\n",
                "  allow   unshare (a refused namespace type: EPERM)\n",
                "  allow   clone (with a refused CLONE_NEW* flag: EPERM)\n",
#if defined(__x86_64__)
                "architectures: native, x86 (others: kill)\n",
                "  allow   mmap2 (PROT_WRITE with PROT_EXEC: EPERM)\n",
#endif
        };
        struct pol_config c;
        int r;

        assert_int_equal(pol_config_init(&c), 0);
        c.umask = 0027;
        c.nice_given = c.oom_score_adjust_given = true;
        c.nice = 5;
        c.oom_score_adjust = -10;
        c.rlimits[RLIMIT_NOFILE] = (struct pol_rlimit){true, {100, 200}};
        c.rlimits[RLIMIT_CORE] = (struct pol_rlimit){true, {0, RLIM_INFINITY}};
        c.secure_bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED;
        c.capability_bounding_set = UINT64_C(1) << CAP_NET_BIND_SERVICE | UINT64_C(1) << CAP_CHOWN;
        c.ambient_given = true;
        c.ambient_capabilities = ~(UINT64_C(1) << CAP_CHOWN); /* cut to the kept ones */
        c.memory_deny_write_execute = c.restrict_realtime = c.restrict_suid_sgid = true;
        c.allow_namespaces = CLONE_NEWNET | CLONE_NEWUSER;
        c.system_call_log = calloc(1, sizeof(char *));
        c.system_call_log[0] = strdup("getppid");
        c.n_system_call_log = 1;
#if defined(__x86_64__)
        c.architectures[c.n_architectures++] = (uint32_t)pol_architecture_from_name("x86");
#endif
        char *text = describe(&c, &r);
        assert_int_equal(r, 0);
        for (size_t i = 0; i < ELEMENTSOF(lines); i++)
                if (!strstr(text, lines[i]))
                        fail_msg("plan lacks '%s':\n%s", lines[i], text);
        free(text);
        pol_config_done(&c);
}

static int replace_filter(struct pol_config *c, const char *const *entries, size_t n);

/* Everything at once, with every other ABI: still one program under BPF_MAXINSNS. */
static void test_every_restriction_on_every_abi_compiles(void **state)
{
        (void)state;
        static const char *const deny[] = {"~@mount @swap"};
        struct pol_config c;
        struct pol_filter *f = NULL;

        assert_int_equal(pol_config_init(&c), 0);
        c.memory_deny_write_execute = c.restrict_realtime = c.restrict_suid_sgid = true;
        c.allow_namespaces = CLONE_NEWUSER;
        c.system_call_log = calloc(1, sizeof(char *));
        c.system_call_log[0] = strdup("~@default");
        c.n_system_call_log = 1;
#if defined(__x86_64__)
        c.architectures[c.n_architectures++] = (uint32_t)pol_architecture_from_name("x86");
        c.architectures[c.n_architectures++] = (uint32_t)pol_architecture_from_name("x32");
#endif
        assert_int_equal(pol_filter_build(&c, &f, NULL, NULL), 0);
        pol_filter_free(f);
        replace_filter(&c, deny, ELEMENTSOF(deny)); /* a deny list: every rule conditional */
        c.deny_families = true;
        assert_int_equal(pol_filter_build(&c, &f, NULL, NULL), 0);
        pol_filter_free(f);
        c.architectures[0] = 12345; /* not one sockjail knows */
        assert_int_equal(pol_filter_build(&c, &f, NULL, NULL), -EINVAL);
        pol_config_done(&c);
}

/* ---- live: a child applies a policy and reports ---- */

struct child_out {
        int status;
        size_t len;
        char buf[16384];
};

typedef void (*child_fn)(int fd, const void *arg);

static void run_child(child_fn fn, const void *arg, struct child_out *out)
{
        int p[2];

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                alarm(CHILD_TIMEOUT);
                fn(p[1], arg);
                _exit(0);
        }
        close(p[1]);
        out->len = 0;
        for (;;) {
                ssize_t k = read(p[0], out->buf + out->len, sizeof(out->buf) - 1 - out->len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                out->len += (size_t)k;
        }
        out->buf[out->len] = 0;
        close(p[0]);
        assert_int_equal(waitpid(pid, &out->status, 0), pid);
}

static void skip_unless_root(void)
{
        if (geteuid() != 0) {
                print_message("live policy tests need root\n");
                skip();
        }
}

struct live {
        const struct pol_config *c;
        const struct pol_filter *f;
        void (*then)(int fd, const void *arg);
        const void *arg;
};

struct applied {
        int r;
        int step;
};

/* The child's first record is always pol_apply's result. */
static void child_apply(int fd, const void *arg)
{
        const struct live *l = arg;
        enum pol_step step = POL_STEP_NONE;
        struct applied a = {.r = pol_apply(l->c, l->f, &step)};

        a.step = (int)step;
        (void)write_all(fd, &a, sizeof(a));
        if (a.r < 0)
                _exit(1);
        l->then(fd, l->arg);
}

static const char *expect_applied(const struct child_out *out)
{
        struct applied a;

        if (out->len < sizeof(a))
                fail_msg("child reported nothing (status 0x%x)", out->status);
        memcpy(&a, out->buf, sizeof(a));
        if (a.r < 0)
                fail_msg("pol_apply failed at %s: %s", pol_step_name(a.step), strerror(-a.r));
        return out->buf + sizeof(a);
}

static void run_policy(const struct pol_config *c, void (*then)(int fd, const void *arg),
                       const void *arg, struct child_out *out)
{
        struct pol_filter *f = NULL;
        size_t bad_entry;
        char *bad_word = NULL;

        assert_int_equal(pol_filter_build(c, &f, &bad_entry, &bad_word), 0);
        struct live l = {c, f, then, arg};
        run_child(child_apply, &l, out);
        pol_filter_free(f);
}

/* ---- probes: each returns 0 on success or the errno it got ---- */

#define ERR(expr) ((expr) < 0 ? errno : 0)

static int probe_socket_inet(void)
{
        return ERR(socket(AF_INET, SOCK_STREAM, 0));
}
static int probe_socket_inet6(void)
{
        return ERR(socket(AF_INET6, SOCK_DGRAM, 0));
}
static int probe_socket_netlink(void)
{
        return ERR(socket(AF_NETLINK, SOCK_RAW, 0));
}
static int probe_socket_packet(void)
{
        return ERR(socket(AF_PACKET, SOCK_RAW, 0));
}
static int probe_socket_vsock(void)
{
        return ERR(socket(AF_VSOCK, SOCK_STREAM, 0));
}
static int probe_socket_af_max(void)
{
        return ERR(socket(AF_MAX, SOCK_STREAM, 0));
}
static int probe_socket_1000(void)
{
        return ERR(socket(1000, SOCK_STREAM, 0));
}
static int probe_socket_minus_1(void)
{
        return ERR(socket(-1, SOCK_STREAM, 0));
}
static int probe_socket_unix(void)
{
        return ERR(socket(AF_UNIX, SOCK_STREAM, 0));
}
static int probe_socket_unix_dgram(void)
{
        return ERR(socket(AF_UNIX, SOCK_DGRAM, 0));
}

/* The kernel reads an int: high bits must not smuggle AF_INET past the filter. */
static int probe_socket_inet_high_bits(void)
{
        return ERR(syscall(SYS_socket, 0x100000000L | AF_INET, (long)SOCK_STREAM, 0L));
}

static int probe_socketpair_inet(void)
{
        int sv[2];
        return ERR(socketpair(AF_INET, SOCK_STREAM, 0, sv));
}

static int probe_socketpair_unix(void)
{
        int sv[2];
        return ERR(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
}

static int probe_unshare_net(void)
{
        return ERR(unshare(CLONE_NEWNET));
}
static int probe_unshare_nothing(void)
{
        return ERR(unshare(0));
}
/* Without the filter this is EBADF. */
static int probe_setns(void)
{
        return ERR(setns(-1, 0));
}

static int clone_and_reap(unsigned long flags)
{
        long r = syscall(SYS_clone, flags | SIGCHLD, 0L, 0L, 0L, 0L);

        if (r == 0)
                _exit(0);
        if (r < 0)
                return errno;
        return waitpid((pid_t)r, NULL, 0) < 0 ? errno : 0;
}

static int probe_clone_newuser(void)
{
        return clone_and_reap(CLONE_NEWUSER);
}
static int probe_clone_newnet_newns(void)
{
        return clone_and_reap(CLONE_NEWNET | CLONE_NEWNS);
}
static int probe_clone_plain(void)
{
        return clone_and_reap(0);
}

static int probe_clone3(void)
{
        struct {
                uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
        } args = {.exit_signal = SIGCHLD};
        long r = syscall(SYS_clone3, &args, sizeof(args));

        if (r == 0)
                _exit(0);
        if (r < 0)
                return errno;
        return waitpid((pid_t)r, NULL, 0) < 0 ? errno : 0;
}

static int probe_fork(void)
{
        int status;
        pid_t pid = fork();

        if (pid == 0)
                _exit(3);
        if (pid < 0)
                return errno;
        if (waitpid(pid, &status, 0) < 0)
                return errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 3 ? 0 : ECHILD;
}

static void *thread_main(void *arg)
{
        return arg;
}

/* glibc tries clone3 first and falls back to clone on ENOSYS. */
static int probe_thread(void)
{
        pthread_t t;
        int r = pthread_create(&t, NULL, thread_main, NULL);

        return r ? r : pthread_join(t, NULL);
}

static int probe_mount(void)
{
        return ERR(mount("none", "/nonexistent", "tmpfs", 0, NULL));
}
/* Harmless when allowed (we trace nobody: ESRCH), unlike PTRACE_TRACEME. */
static int probe_ptrace(void)
{
        return ERR(ptrace(PTRACE_CONT, getpid(), NULL, NULL));
}

static int probe_keyctl(void)
{
        return ERR(syscall(SYS_keyctl, (long)KEYCTL_GET_KEYRING_ID, (long)KEY_SPEC_SESSION_KEYRING,
                           0L));
}

static int probe_add_key(void)
{
        return ERR(syscall(SYS_add_key, "user", "sockjail-test", "x", 1L,
                           (long)KEY_SPEC_PROCESS_KEYRING));
}

static int probe_io_uring_setup(void)
{
        char params[256] = {0};
        return ERR(syscall(SYS_io_uring_setup, 1L, params));
}

static int probe_userfaultfd(void)
{
        return ERR(syscall(SYS_userfaultfd, (long)O_CLOEXEC));
}

static int probe_process_vm_readv(void)
{
        char src[8] = "abcdefg", dst[8];
        struct iovec local = {dst, sizeof(dst)}, remote = {src, sizeof(src)};
        return ERR(process_vm_readv(getpid(), &local, 1, &remote, 1, 0));
}

static int probe_bpf(void)
{
        char attr[128] = {0};
        return ERR(syscall(SYS_bpf, 0L /* BPF_MAP_CREATE */, attr, sizeof(attr)));
}

static int probe_kexec_load(void)
{
        return ERR(syscall(SYS_kexec_load, 0L, 0L, NULL, 0L));
}
static int probe_init_module(void)
{
        return ERR(syscall(SYS_init_module, NULL, 0L, ""));
}
static int probe_personality_linux32(void)
{
        return ERR(personality(PER_LINUX32));
}
static int probe_personality_no_aslr(void)
{
        return ERR(personality(PER_LINUX | ADDR_NO_RANDOMIZE));
}
static int probe_personality_query(void)
{
        return ERR(personality(0xffffffff));
}
static int probe_personality_linux(void)
{
        return ERR(personality(PER_LINUX));
}

static int probe_personality_high_bits(void)
{
        return ERR(syscall(SYS_personality, 0x100000000L));
}

static int probe_getppid(void)
{
        return ERR(syscall(SYS_getppid));
}
static int probe_memfd(void)
{
        return ERR(memfd_create("probe", MFD_CLOEXEC));
}
static int probe_open_proc(void)
{
        return ERR(open("/proc/self/status", O_RDONLY | O_CLOEXEC));
}

struct probe {
        const char *what;
        int (*call)(void);
        int expect;
};

struct probes {
        const struct probe *rows;
        size_t n;
};

static void child_probes(int fd, const void *arg)
{
        const struct probes *p = arg;

        for (size_t i = 0; i < p->n; i++) {
                int e = p->rows[i].call();
                (void)write_all(fd, &e, sizeof(e));
        }
}

static void check_probes(const struct pol_config *c, const struct probe *rows, size_t n)
{
        struct probes p = {rows, n};
        struct child_out out;

        run_policy(c, child_probes, &p, &out);
        const char *res = expect_applied(&out);
        size_t got = (size_t)(out.buf + out.len - res) / sizeof(int);
        for (size_t i = 0; i < n; i++) {
                int e;
                if (i >= got)
                        fail_msg("child died before '%s' (status 0x%x)", rows[i].what, out.status);
                memcpy(&e, res + i * sizeof(int), sizeof(e));
                if (e != rows[i].expect)
                        fail_msg("%s: got %s, want %s", rows[i].what, e ? strerror(e) : "success",
                                 rows[i].expect ? strerror(rows[i].expect) : "success");
        }
        assert_true(WIFEXITED(out.status) && WEXITSTATUS(out.status) == 0);
}

static const struct probe default_profile_rows[] = {
        {"socket(AF_INET)", probe_socket_inet, EAFNOSUPPORT},
        {"socket(AF_INET6)", probe_socket_inet6, EAFNOSUPPORT},
        {"socket(AF_NETLINK)", probe_socket_netlink, EAFNOSUPPORT},
        {"socket(AF_PACKET)", probe_socket_packet, EAFNOSUPPORT},
        {"socket(AF_VSOCK)", probe_socket_vsock, EAFNOSUPPORT},
        {"socket(AF_MAX)", probe_socket_af_max, EAFNOSUPPORT},
        {"socket(1000)", probe_socket_1000, EAFNOSUPPORT},
        {"socket(-1)", probe_socket_minus_1, EAFNOSUPPORT},
        {"socket(AF_INET with high bits set)", probe_socket_inet_high_bits, EAFNOSUPPORT},
        {"socketpair(AF_INET)", probe_socketpair_inet, EAFNOSUPPORT},
        {"socket(AF_UNIX, SOCK_STREAM)", probe_socket_unix, 0},
        {"socket(AF_UNIX, SOCK_DGRAM)", probe_socket_unix_dgram, 0},
        {"socketpair(AF_UNIX)", probe_socketpair_unix, 0},
        {"unshare(CLONE_NEWNET)", probe_unshare_net, EPERM},
        {"unshare(0)", probe_unshare_nothing, EPERM},
        {"setns(-1, 0)", probe_setns, EPERM},
        {"clone(CLONE_NEWUSER)", probe_clone_newuser, EPERM},
        {"clone(CLONE_NEWNET|CLONE_NEWNS)", probe_clone_newnet_newns, EPERM},
        {"clone(SIGCHLD)", probe_clone_plain, 0},
        {"clone3", probe_clone3, ENOSYS},
        {"fork", probe_fork, 0},
        {"pthread_create", probe_thread, 0},
        {"mount", probe_mount, EPERM},
        {"ptrace(PTRACE_CONT, self)", probe_ptrace, EPERM},
        {"keyctl", probe_keyctl, EPERM},
        {"add_key", probe_add_key, EPERM},
        {"io_uring_setup", probe_io_uring_setup, EPERM},
        {"userfaultfd", probe_userfaultfd, EPERM},
        {"process_vm_readv", probe_process_vm_readv, EPERM},
        {"bpf", probe_bpf, EPERM},
        {"kexec_load", probe_kexec_load, EPERM},
        {"init_module", probe_init_module, EPERM},
        {"personality(PER_LINUX32)", probe_personality_linux32, EPERM},
        {"personality(ADDR_NO_RANDOMIZE)", probe_personality_no_aslr, EPERM},
        {"personality(1 << 32)", probe_personality_high_bits, EPERM},
        {"personality(0xffffffff)", probe_personality_query, 0},
        {"personality(PER_LINUX)", probe_personality_linux, 0},
        {"getppid", probe_getppid, 0},
        {"memfd_create", probe_memfd, 0},
        {"open(/proc/self/status)", probe_open_proc, 0},
};

static void test_default_profile_denies_and_allows_as_documented(void **state)
{
        (void)state;
        struct pol_config c;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        check_probes(&c, default_profile_rows, ELEMENTSOF(default_profile_rows));
        pol_config_done(&c);
}

static int replace_filter(struct pol_config *c, const char *const *entries, size_t n)
{
        for (size_t i = 0; i < c->n_system_call_filter; i++)
                free(c->system_call_filter[i]);
        free(c->system_call_filter);
        c->system_call_filter = calloc(n ? n : 1, sizeof(char *));
        assert_non_null(c->system_call_filter);
        for (c->n_system_call_filter = 0; c->n_system_call_filter < n; c->n_system_call_filter++) {
                c->system_call_filter[c->n_system_call_filter] =
                        strdup(entries[c->n_system_call_filter]);
                assert_non_null(c->system_call_filter[c->n_system_call_filter]);
        }
        return 0;
}

static const struct probe deny_list_rows[] = {
        {"mount (denied with its own errno)", probe_mount, EUCLEAN},
        {"ptrace (not listed)", probe_ptrace, ESRCH},
        {"getppid", probe_getppid, 0},
        {"socket(AF_INET) (families still restricted)", probe_socket_inet, EAFNOSUPPORT},
        {"socket(AF_UNIX)", probe_socket_unix, 0},
        {"clone(CLONE_NEWUSER) (namespaces still restricted)", probe_clone_newuser, EPERM},
        {"fork", probe_fork, 0},
        {"personality(PER_LINUX32) (still locked)", probe_personality_linux32, EPERM},
        {"personality(0xffffffff)", probe_personality_query, 0},
        {"keyctl (removed from the deny list again)", probe_keyctl, 0},
        {"add_key (denied with the default errno)", probe_add_key, EPERM},
};

static void test_deny_list_denies_only_what_it_names(void **state)
{
        (void)state;
        static const char *const filter[] = {"~mount:EUCLEAN @keyring", "keyctl"};
        struct pol_config c;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        replace_filter(&c, filter, ELEMENTSOF(filter));
        check_probes(&c, deny_list_rows, ELEMENTSOF(deny_list_rows));
        pol_config_done(&c);
}

static const struct probe allow_list_removal_rows[] = {
        {"getppid (removed from the allow list)", probe_getppid, EACCES},
        {"mount (never allowed)", probe_mount, EACCES},
        {"ptrace (removed with its own errno)", probe_ptrace, EUCLEAN},
        {"fork", probe_fork, 0},
};

static void test_allow_list_removals_fall_back_to_the_error_number(void **state)
{
        (void)state;
        static const char *const filter[] = {"@system-service", "~getppid", "~ptrace:EUCLEAN"};
        struct pol_config c;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        replace_filter(&c, filter, ELEMENTSOF(filter));
        c.system_call_error_number = EACCES;
        check_probes(&c, allow_list_removal_rows, ELEMENTSOF(allow_list_removal_rows));
        pol_config_done(&c);
}

static const struct probe unrestricted_rows[] = {
        {"socket(AF_INET)", probe_socket_inet, 0},
        {"socket(AF_UNIX)", probe_socket_unix, 0},
        {"personality(PER_LINUX)", probe_personality_linux, 0},
        {"clone(SIGCHLD)", probe_clone_plain, 0},
        {"setns(-1, 0) reaches the kernel", probe_setns, EBADF},
        {"ptrace", probe_ptrace, ESRCH},
};

static void test_no_filter_entries_and_no_restrictions_allow_everything(void **state)
{
        (void)state;
        struct pol_config c;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        replace_filter(&c, NULL, 0);
        c.restrict_families = c.restrict_namespaces = c.lock_personality = false;
        check_probes(&c, unrestricted_rows, ELEMENTSOF(unrestricted_rows));
        pol_config_done(&c);
}

static const struct probe deny_families_rows[] = {
        {"socket(AF_PACKET) (listed)", probe_socket_packet, EAFNOSUPPORT},
        {"socket(AF_NETLINK) (listed)", probe_socket_netlink, EAFNOSUPPORT},
        {"socket(AF_INET) (not listed)", probe_socket_inet, 0},
        {"socket(AF_UNIX) (not listed)", probe_socket_unix, 0},
        {"socket(AF_INET with high bits set)", probe_socket_inet_high_bits, EAFNOSUPPORT},
        {"socket(1000)", probe_socket_1000, EAFNOSUPPORT},
};

static void test_family_deny_list_refuses_only_listed_families(void **state)
{
        (void)state;
        struct pol_config c;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        c.deny_families = true;
        c.families[0] = AF_PACKET;
        int *fam = realloc(c.families, 2 * sizeof(int));
        assert_non_null(fam);
        c.families = fam;
        c.families[1] = AF_NETLINK;
        c.n_families = 2;
        check_probes(&c, deny_families_rows, ELEMENTSOF(deny_families_rows));
        pol_config_done(&c);
}

static int probe_setresuid_noop(void)
{
        return ERR(syscall(SYS_setresuid, -1L, -1L, -1L));
}

static int probe_fchown_noop(void)
{
        int fd = memfd_create("probe", MFD_CLOEXEC);
        return fd < 0 ? errno : ERR(fchown(fd, (uid_t)-1, (gid_t)-1));
}

static int probe_mlock(void)
{
        static char page[64];
        /* The raw call: sanitizer runtimes turn mlock() into a no-op. */
        return ERR(syscall(SYS_mlock, page, sizeof(page)));
}

static int probe_io_setup(void)
{
        unsigned long ctx = 0;
        return ERR(syscall(SYS_io_setup, 1L, &ctx));
}

static int probe_mmap_rwx(void);

static const struct probe strict_rows[] = {
        {"mmap(PROT_WRITE|PROT_EXEC) (memory_deny_write_execute)", probe_mmap_rwx, EPERM},
        {"setresuid(-1, -1, -1)", probe_setresuid_noop, EPERM},
        {"fchown(-1, -1)", probe_fchown_noop, EPERM},
        {"mlock", probe_mlock, EPERM},
        {"io_setup", probe_io_setup, EPERM},
        {"socket(AF_INET)", probe_socket_inet, EAFNOSUPPORT},
        {"socket(AF_UNIX)", probe_socket_unix, 0},
        {"fork", probe_fork, 0},
        {"pthread_create", probe_thread, 0},
        {"getppid", probe_getppid, 0},
};

static const struct probe strict_controls_rows[] = {
        {"mmap(PROT_WRITE|PROT_EXEC)", probe_mmap_rwx, 0},
        {"setresuid(-1, -1, -1)", probe_setresuid_noop, 0},
        {"fchown(-1, -1)", probe_fchown_noop, 0},
        {"mlock", probe_mlock, 0},
        {"io_setup", probe_io_setup, 0},
};

static void child_exec_sh(int fd, const void *arg);

static void test_strict_profile_also_denies_privileged_calls(void **state)
{
        (void)state;
        struct pol_config c;
        struct child_out out;

        skip_unless_root();
        /* The same calls work under the default profile, so the denials are strict's. */
        assert_int_equal(pol_config_init(&c), 0);
        check_probes(&c, strict_controls_rows, ELEMENTSOF(strict_controls_rows));
        pol_config_done(&c);

        load_profile("strict.yaml", &c);
        check_probes(&c, strict_rows, ELEMENTSOF(strict_rows));
        run_policy(&c, child_exec_sh, NULL, &out);
        expect_applied(&out);
        if (!WIFEXITED(out.status) || WEXITSTATUS(out.status) != 7)
                fail_msg("sh under the strict profile: status 0x%x, want exit 7", out.status);
        pol_config_done(&c);
}

/* ---- live: kills ---- */

static void child_ptrace(int fd, const void *arg)
{
        (void)fd;
        (void)arg;
        (void)ptrace(PTRACE_CONT, getpid(), NULL, NULL);
        _exit(0);
}

static void expect_sigsys(const struct child_out *out)
{
        expect_applied(out);
        if (!WIFSIGNALED(out->status) || WTERMSIG(out->status) != SIGSYS)
                fail_msg("child status 0x%x, want SIGSYS", out->status);
}

static void test_error_number_zero_kills_with_sigsys(void **state)
{
        (void)state;
        struct pol_config c;
        struct child_out out;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        c.system_call_error_number = 0;
        run_policy(&c, child_ptrace, NULL, &out);
        expect_sigsys(&out);
        pol_config_done(&c);
}

static void test_kill_suffix_kills_with_sigsys(void **state)
{
        (void)state;
        static const char *const filter[] = {"@system-service", "~ptrace:kill"};
        struct pol_config c;
        struct child_out out;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        replace_filter(&c, filter, ELEMENTSOF(filter));
        run_policy(&c, child_ptrace, NULL, &out);
        expect_sigsys(&out);
        pol_config_done(&c);
}

#if defined(__x86_64__)
static long i386_getpid(void)
{
        long r;
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory", "r8", "r9", "r10", "r11");
        return r;
}

static void child_i386(int fd, const void *arg)
{
        (void)arg;
        long r = i386_getpid();
        (void)write_all(fd, &r, sizeof(r));
}

static void test_i386_syscall_is_killed_with_sigsys(void **state)
{
        (void)state;
        struct pol_config c;
        struct child_out out;

        skip_unless_root();
        /* Without a filter, int 0x80 works only with IA32 emulation in the kernel. */
        run_child(child_i386, NULL, &out);
        if (!WIFEXITED(out.status) || out.len != sizeof(long)) {
                print_message("kernel has no IA32 emulation (status 0x%x)\n", out.status);
                skip();
        }
        assert_int_equal(pol_config_init(&c), 0);
        run_policy(&c, child_i386, NULL, &out);
        expect_sigsys(&out);
        pol_config_done(&c);
}

static void child_x32(int fd, const void *arg)
{
        (void)fd;
        (void)arg;
        (void)syscall(X32_SYSCALL_BIT | SYS_getpid);
        _exit(0);
}

static void test_x32_syscall_is_killed_with_sigsys(void **state)
{
        (void)state;
        struct pol_config c;
        struct child_out out;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        run_policy(&c, child_x32, NULL, &out);
        expect_sigsys(&out);
        pol_config_done(&c);
}
#endif

/* ---- live: ids, capabilities, status ---- */

static unsigned long long status_field(const char *text, const char *key, int base)
{
        char pat[32];

        snprintf(pat, sizeof(pat), "\n%s:", key);
        const char *p = strstr(text, pat);
        if (!p) {
                fail_msg("no %s in:\n%s", key, text);
                return 0;
        }
        return strtoull(p + strlen(pat), NULL, base);
}

static void expect_status(const char *text, unsigned long long caps)
{
        static const char *const keys[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};

        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (status_field(text, keys[i], 16) != caps)
                        fail_msg("%s is %llx, want %llx", keys[i], status_field(text, keys[i], 16),
                                 caps);
        assert_int_equal(status_field(text, "NoNewPrivs", 10), 1);
        assert_int_equal(status_field(text, "Seccomp", 10), 2);
}

static void child_status(int fd, const void *arg)
{
        char buf[8192];
        ssize_t k;
        int sfd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

        (void)arg;
        if (sfd < 0)
                _exit(2);
        buf[0] = '\n'; /* so every key, the first one too, follows a newline */
        k = read(sfd, buf + 1, sizeof(buf) - 1);
        if (k > 0)
                (void)write_all(fd, buf, (size_t)k + 1);
}

static void test_default_profile_empties_every_capability_set(void **state)
{
        (void)state;
        struct pol_config c;
        struct child_out out;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        run_policy(&c, child_status, NULL, &out);
        expect_status(expect_applied(&out), 0);
        pol_config_done(&c);
}

struct ids {
        uid_t uid, euid;
        gid_t gid, egid;
        int n_groups;
        gid_t groups[8];
};

static void child_ids(int fd, const void *arg)
{
        struct ids ids = {getuid(), geteuid(), getgid(), getegid(), 0, {0}};

        ids.n_groups = getgroups(8, ids.groups);
        (void)write_all(fd, &ids, sizeof(ids));
        child_status(fd, arg);
}

static void set_ids(struct pol_config *c, uid_t uid, const gid_t *groups, size_t n)
{
        c->change_ids = true;
        c->uid = uid;
        c->gid = (gid_t)uid;
        c->groups = calloc(n ? n : 1, sizeof(gid_t));
        assert_non_null(c->groups);
        if (n)
                memcpy(c->groups, groups, n * sizeof(gid_t));
        c->n_groups = n;
}

static void test_switching_to_nobody_sets_ids_groups_and_no_caps(void **state)
{
        (void)state;
        static const gid_t groups[] = {65534, 4242};
        struct pol_config c;
        struct child_out out;
        struct ids ids;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        set_ids(&c, 65534, groups, ELEMENTSOF(groups));
        run_policy(&c, child_ids, NULL, &out);
        const char *rest = expect_applied(&out);
        memcpy(&ids, rest, sizeof(ids));
        assert_int_equal(ids.uid, 65534);
        assert_int_equal(ids.euid, 65534);
        assert_int_equal(ids.gid, 65534);
        assert_int_equal(ids.egid, 65534);
        assert_int_equal(ids.n_groups, 2);
        /* The kernel keeps supplementary groups sorted. */
        assert_int_equal(ids.groups[0], 4242);
        assert_int_equal(ids.groups[1], 65534);
        expect_status(rest + sizeof(ids), 0);
        pol_config_done(&c);
}

static void test_switching_ids_with_no_groups_clears_supplementary_groups(void **state)
{
        (void)state;
        struct pol_config c;
        struct child_out out;
        struct ids ids;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        set_ids(&c, 65534, NULL, 0);
        run_policy(&c, child_ids, NULL, &out);
        memcpy(&ids, expect_applied(&out), sizeof(ids));
        assert_int_equal(ids.uid, 65534);
        assert_int_equal(ids.n_groups, 0);
        pol_config_done(&c);
}

static void child_exec_status(int fd, const void *arg)
{
        (void)arg;
        if (dup2(fd, STDOUT_FILENO) < 0)
                _exit(2);
        execl("/bin/cat", "cat", "/proc/self/status", (char *)NULL);
        _exit(3);
}

/* A kept capability survives execve for a non-root uid (ambient), and nothing else does. */
static void test_kept_capability_survives_exec_as_nobody(void **state)
{
        (void)state;
        static const gid_t groups[] = {65534};
        const unsigned long long keep = UINT64_C(1) << CAP_NET_BIND_SERVICE;
        struct pol_config c;
        struct child_out out;
        char text[16384] = "\n";

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        set_ids(&c, 65534, groups, 1);
        c.capability_bounding_set = keep;
        run_policy(&c, child_exec_status, NULL, &out);
        strncat(text, expect_applied(&out), sizeof(text) - 2);
        assert_true(WIFEXITED(out.status) && WEXITSTATUS(out.status) == 0);
        expect_status(text, keep);
        assert_int_equal(status_field(text, "Uid", 10), 65534);
        pol_config_done(&c);
}

static void child_exec_sh(int fd, const void *arg)
{
        (void)fd;
        (void)arg;
        execl("/bin/sh", "sh", "-c", "cat /proc/self/status >/dev/null && exit 7", (char *)NULL);
        _exit(3);
}

static void test_default_profile_runs_a_dynamically_linked_program(void **state)
{
        (void)state;
        struct pol_config c;
        struct child_out out;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        run_policy(&c, child_exec_sh, NULL, &out);
        expect_applied(&out);
        if (!WIFEXITED(out.status) || WEXITSTATUS(out.status) != 7)
                fail_msg("sh under the default profile: status 0x%x, want exit 7", out.status);
        pol_config_done(&c);
}

static void test_apply_reports_the_failing_step(void **state)
{
        (void)state;
        struct pol_config c;
        struct child_out out;
        struct applied a;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        /* A kept capability the kernel does not have cannot be made permitted. */
        c.capability_bounding_set = UINT64_C(1) << 63;
        run_policy(&c, child_status, NULL, &out);
        assert_true(out.len >= sizeof(a));
        memcpy(&a, out.buf, sizeof(a));
        assert_int_equal(a.step, POL_STEP_CAPS);
        assert_true(a.r < 0);
        pol_config_done(&c);
}

/* ---- Landlock: TCP through a passed socket ---- */

struct tcp_pair {
        int passed;                /* a listening socket made before the policy, as sockjail does */
        struct sockaddr_in target; /* another listener to connect to */
};

/* Reports the errno of connect(AF_UNSPEC) on the passed listener, then of
 * connect() from it to the target: the way out that seccomp cannot see. */
static void child_tcp_out(int fd, const void *arg)
{
        const struct tcp_pair *t = arg;
        struct sockaddr unspec = {.sa_family = AF_UNSPEC};
        int e[2];

        e[0] = ERR(connect(t->passed, &unspec, sizeof(unspec)));
        e[1] = ERR(connect(t->passed, (const struct sockaddr *)&t->target, sizeof(t->target)));
        (void)write_all(fd, e, sizeof(e));
}

static int tcp_listener(struct sockaddr_in *ret)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(a);
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        assert_true(s >= 0);
        assert_int_equal(bind(s, (struct sockaddr *)&a, len), 0);
        assert_int_equal(listen(s, 8), 0);
        assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
        if (ret)
                *ret = a;
        return s;
}

static void run_tcp_out(struct pol_config *c, int ret_errnos[2])
{
        struct tcp_pair t;
        struct child_out out;
        int target = tcp_listener(&t.target);

        t.passed = tcp_listener(NULL);
        run_policy(c, child_tcp_out, &t, &out);
        assert_int_equal(out.len, sizeof(struct applied) + 2 * sizeof(int));
        memcpy(ret_errnos, expect_applied(&out), 2 * sizeof(int));
        close(t.passed);
        close(target);
}

static void test_default_profile_closes_tcp_out_through_a_passed_socket(void **state)
{
        (void)state;
        struct pol_config c;
        int e[2];

        skip_unless_root();
        if (pol_landlock_abi() < 4) {
                print_message("this kernel's Landlock has no network rights (ABI < 4)\n");
                skip();
        }
        assert_int_equal(pol_config_init(&c), 0);
        run_tcp_out(&c, e);
        assert_int_equal(e[1], EACCES);
        pol_config_done(&c);
}

static void test_allowing_inet_leaves_tcp_through_passed_sockets_open(void **state)
{
        (void)state;
        struct pol_config c;
        int e[2];

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        c.deny_families = true; /* a deny list of nothing: every family allowed */
        c.n_families = 0;
        run_tcp_out(&c, e);
        assert_int_equal(e[0], 0);
        assert_int_equal(e[1], 0);
        pol_config_done(&c);
}

/* Interface ioctls on a passed socket answer for the host's network: refused,
 * whatever sits in the upper 32 bits; other socket ioctls keep working. */
static void child_ioctls(int fd, const void *arg)
{
        const int *passed = arg;
        char buf[512];
        struct ifconf ifc = {.ifc_len = sizeof(buf), .ifc_buf = buf};
        int avail = 0, e[3];

        e[0] = ERR(ioctl(*passed, SIOCGIFCONF, &ifc));
        e[1] = ERR(syscall(SYS_ioctl, *passed, (unsigned long)SIOCGIFCONF | (1UL << 32), &ifc));
        e[2] = ERR(ioctl(*passed, FIONREAD, &avail));
        (void)write_all(fd, e, sizeof(e));
}

static void test_default_profile_refuses_interface_ioctls(void **state)
{
        (void)state;
        struct pol_config c;
        struct child_out out;
        int passed, e[3];

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        passed = tcp_listener(NULL);
        run_policy(&c, child_ioctls, &passed, &out);
        assert_int_equal(out.len, sizeof(struct applied) + sizeof(e));
        memcpy(e, expect_applied(&out), sizeof(e));
        assert_int_equal(e[0], EPERM);
        assert_int_equal(e[1], EPERM);
        assert_int_equal(e[2], EINVAL); /* the kernel's own answer for a listener: let through */
        close(passed);
        pol_config_done(&c);
}

/* ---- live: process attributes, secure bits, ambient capabilities ---- */

struct process_report {
        mode_t umask;
        struct rlimit nofile, core, cpu;
        int nice;
        char oom[16];
        int securebits;
};

static void child_process(int fd, const void *arg)
{
        struct process_report p = {0};
        int ofd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);

        (void)arg;
        p.umask = umask(0);
        (void)getrlimit(RLIMIT_NOFILE, &p.nofile);
        (void)getrlimit(RLIMIT_CORE, &p.core);
        (void)getrlimit(RLIMIT_CPU, &p.cpu);
        errno = 0;
        p.nice = getpriority(PRIO_PROCESS, 0);
        if (ofd >= 0 && read(ofd, p.oom, sizeof(p.oom) - 1) < 0)
                p.oom[0] = '?';
        p.securebits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
        (void)write_all(fd, &p, sizeof(p));
}

static void set_rlimit(struct pol_config *c, int resource, rlim_t soft, rlim_t hard)
{
        c->rlimits[resource] = (struct pol_rlimit){true, {soft, hard}};
}

static void test_process_attributes_reach_the_child(void **state)
{
        (void)state;
        struct pol_config c;
        struct child_out out;
        struct process_report p;
        struct rlimit core;

        skip_unless_root();
        /* Raising a hard limit or lowering oom_score_adj needs CAP_SYS_RESOURCE, which
         * a container may not grant even to root: stay within what we have. */
        assert_int_equal(getrlimit(RLIMIT_CORE, &core), 0);
        assert_int_equal(pol_config_init(&c), 0);
        assert_int_equal(c.umask, 0022);
        c.umask = 0027;
        set_rlimit(&c, RLIMIT_NOFILE, 100, 200);
        set_rlimit(&c, RLIMIT_CORE, 0, core.rlim_max);
        set_rlimit(&c, RLIMIT_CPU, 30, 60);
        c.nice_given = true;
        c.nice = 7;
        c.oom_score_adjust_given = true;
        c.oom_score_adjust = 250;
        run_policy(&c, child_process, NULL, &out);
        memcpy(&p, expect_applied(&out), sizeof(p));
        assert_int_equal(p.umask, 0027);
        assert_int_equal(p.nofile.rlim_cur, 100);
        assert_int_equal(p.nofile.rlim_max, 200);
        assert_int_equal(p.core.rlim_cur, 0);
        assert_true(p.core.rlim_max == core.rlim_max);
        assert_int_equal(p.cpu.rlim_cur, 30);
        assert_int_equal(p.cpu.rlim_max, 60);
        assert_int_equal(p.nice, 7);
        assert_string_equal(p.oom, "250\n");
        assert_int_equal(p.securebits, 0);
        pol_config_done(&c);
}

static void test_default_umask_is_0022_and_limits_stay(void **state)
{
        (void)state;
        struct pol_config c;
        struct child_out out;
        struct process_report p;
        struct rlimit mine;

        skip_unless_root();
        assert_int_equal(getrlimit(RLIMIT_NOFILE, &mine), 0);
        assert_int_equal(pol_config_init(&c), 0);
        umask(0077); /* the child must not inherit this */
        run_policy(&c, child_process, NULL, &out);
        umask(0022);
        memcpy(&p, expect_applied(&out), sizeof(p));
        assert_int_equal(p.umask, 0022);
        assert_true(p.nofile.rlim_cur == mine.rlim_cur && p.nofile.rlim_max == mine.rlim_max);
        pol_config_done(&c);
}

static void test_process_steps_report_their_failures(void **state)
{
        (void)state;
        struct pol_config c;
        struct child_out out;
        struct applied a;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        /* The limits are set first, as root: a nice level below 0 then works too. */
        c.nice_given = true;
        c.nice = -5;
        set_rlimit(&c, RLIMIT_NOFILE, 64, 64);
        run_policy(&c, child_process, NULL, &out);
        expect_applied(&out);
        /* An out-of-range oom_score_adj is refused by the kernel at its own step. */
        c.oom_score_adjust_given = true;
        c.oom_score_adjust = 5000;
        run_policy(&c, child_process, NULL, &out);
        memcpy(&a, out.buf, sizeof(a));
        assert_int_equal(a.step, POL_STEP_OOM_SCORE_ADJUST);
        assert_int_equal(a.r, -EINVAL);
        c.oom_score_adjust_given = false;
        set_rlimit(&c, RLIMIT_NOFILE, 64, 32); /* soft above hard */
        run_policy(&c, child_process, NULL, &out);
        memcpy(&a, out.buf, sizeof(a));
        assert_int_equal(a.step, POL_STEP_RLIMITS);
        assert_int_equal(a.r, -EINVAL);
        pol_config_done(&c);
}

static void test_secure_bits_are_set_and_locked(void **state)
{
        (void)state;
        struct pol_config c;
        struct child_out out;
        struct process_report p;
        int bits;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        bits = pol_secure_bit_from_name("noroot") | pol_secure_bit_from_name("noroot-locked") |
               pol_secure_bit_from_name("no-setuid-fixup") |
               pol_secure_bit_from_name("keep-caps-locked");
        assert_int_equal(bits, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                                       SECBIT_KEEP_CAPS_LOCKED);
        c.secure_bits = (unsigned)bits;
        run_policy(&c, child_process, NULL, &out);
        memcpy(&p, expect_applied(&out), sizeof(p));
        assert_int_equal(p.securebits, bits);
        pol_config_done(&c);
}

/* ambient_capabilities: a subset of the kept ones survives exec as nobody; the rest do not. */
static void test_ambient_capabilities_are_a_subset_as_nobody(void **state)
{
        (void)state;
        static const gid_t groups[] = {65534};
        const unsigned long long bind = UINT64_C(1) << CAP_NET_BIND_SERVICE;
        const unsigned long long chown = UINT64_C(1) << CAP_CHOWN;
        struct pol_config c;
        struct child_out out;
        char text[16384] = "\n";

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        set_ids(&c, 65534, groups, 1);
        c.capability_bounding_set = bind | chown;
        c.ambient_given = true;
        c.ambient_capabilities = bind;
        run_policy(&c, child_exec_status, NULL, &out);
        strncat(text, expect_applied(&out), sizeof(text) - 2);
        assert_true(WIFEXITED(out.status) && WEXITSTATUS(out.status) == 0);
        assert_int_equal(status_field(text, "CapAmb", 16), bind);
        assert_int_equal(status_field(text, "CapEff", 16), bind);
        assert_int_equal(status_field(text, "CapPrm", 16), bind);
        assert_int_equal(status_field(text, "CapInh", 16), bind | chown);
        assert_int_equal(status_field(text, "CapBnd", 16), bind | chown);
        /* An empty ambient set: nothing survives the exec as nobody. */
        c.ambient_capabilities = 0;
        run_policy(&c, child_exec_status, NULL, &out);
        text[1] = 0;
        strncat(text, expect_applied(&out), sizeof(text) - 2);
        assert_int_equal(status_field(text, "CapAmb", 16), 0);
        assert_int_equal(status_field(text, "CapEff", 16), 0);
        pol_config_done(&c);
}

/* ---- live: memory_deny_write_execute, restrict_realtime, restrict_suid_sgid ---- */

static int probe_mmap_prot(int prot)
{
        void *p = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (p == MAP_FAILED)
                return errno;
        munmap(p, 4096);
        return 0;
}
static int probe_mmap_rwx(void)
{
        return probe_mmap_prot(PROT_READ | PROT_WRITE | PROT_EXEC);
}
static int probe_mmap_rw(void)
{
        return probe_mmap_prot(PROT_READ | PROT_WRITE);
}
static int probe_mmap_rx(void)
{
        return probe_mmap_prot(PROT_READ | PROT_EXEC);
}

static int mprotect_to(int prot, bool pkey)
{
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        int e;

        if (p == MAP_FAILED)
                return errno;
        e = pkey ? ERR(syscall(SYS_pkey_mprotect, p, 4096L, (long)prot, -1L))
                 : ERR(mprotect(p, 4096, prot));
        munmap(p, 4096);
        return e;
}
static int probe_mprotect_rx(void)
{
        return mprotect_to(PROT_READ | PROT_EXEC, false);
}
static int probe_mprotect_r(void)
{
        return mprotect_to(PROT_READ, false);
}
static int probe_pkey_mprotect_x(void)
{
        return mprotect_to(PROT_READ | PROT_EXEC, true);
}

static int shmat_with(int flags)
{
        int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0700), e;
        void *p;

        if (id < 0)
                return errno;
        p = shmat(id, NULL, flags);
        e = p == (void *)-1 ? errno : 0;
        if (!e)
                shmdt(p);
        shmctl(id, IPC_RMID, NULL);
        return e;
}
static int probe_shmat_exec(void)
{
        return shmat_with(SHM_EXEC);
}
static int probe_shmat(void)
{
        return shmat_with(0);
}

static const struct probe mdwe_rows[] = {
        {"mmap(PROT_WRITE|PROT_EXEC)", probe_mmap_rwx, EPERM},
        {"mmap(PROT_WRITE)", probe_mmap_rw, 0},
        {"mmap(PROT_EXEC)", probe_mmap_rx, 0},
        {"mprotect(PROT_EXEC)", probe_mprotect_rx, EPERM},
        {"mprotect(PROT_READ)", probe_mprotect_r, 0},
        {"pkey_mprotect(PROT_EXEC)", probe_pkey_mprotect_x, EPERM},
        {"shmat(SHM_EXEC)", probe_shmat_exec, EPERM},
        {"shmat(0)", probe_shmat, 0},
        {"fork", probe_fork, 0},
};

static const struct probe mdwe_control_rows[] = {
        {"mmap(PROT_WRITE|PROT_EXEC)", probe_mmap_rwx, 0},
        {"mprotect(PROT_EXEC)", probe_mprotect_rx, 0},
        {"shmat(SHM_EXEC)", probe_shmat_exec, 0},
};

static void test_memory_deny_write_execute_refuses_writable_code(void **state)
{
        (void)state;
        struct pol_config c;
        struct child_out out;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        check_probes(&c, mdwe_control_rows, ELEMENTSOF(mdwe_control_rows));
        c.memory_deny_write_execute = true;
        check_probes(&c, mdwe_rows, ELEMENTSOF(mdwe_rows));
        /* A dynamically linked program still loads. */
        run_policy(&c, child_exec_sh, NULL, &out);
        expect_applied(&out);
        assert_true(WIFEXITED(out.status) && WEXITSTATUS(out.status) == 7);
        /* A deny-list filter gets the same rules. */
        static const char *const filter[] = {"~@mount"};
        replace_filter(&c, filter, 1);
        check_probes(&c, mdwe_rows, ELEMENTSOF(mdwe_rows));
        pol_config_done(&c);
}

static int sched_to(int policy)
{
        struct sched_param sp = {.sched_priority = sched_get_priority_min(policy)};
        int e = ERR(sched_setscheduler(0, policy, &sp));

        if (!e) {
                sp.sched_priority = 0;
                (void)sched_setscheduler(0, SCHED_OTHER, &sp);
        }
        return e;
}
static int probe_sched_fifo(void)
{
        return sched_to(SCHED_FIFO);
}
static int probe_sched_rr(void)
{
        return sched_to(SCHED_RR);
}
static int probe_sched_batch(void)
{
        return sched_to(SCHED_BATCH);
}
static int probe_sched_fifo_high_bits(void)
{
        struct sched_param sp = {.sched_priority = 1};
        return ERR(syscall(SYS_sched_setscheduler, 0L, 0x100000000L | SCHED_FIFO, &sp));
}
static int probe_sched_setattr_fifo(void)
{
        struct {
                uint32_t size, policy;
                uint64_t flags;
                int32_t nice;
                uint32_t priority;
                uint64_t runtime, deadline, period;
        } attr = {.size = 48, .policy = SCHED_FIFO, .priority = 1};
        return ERR(syscall(SYS_sched_setattr, 0L, &attr, 0L));
}

static const struct probe realtime_rows[] = {
        {"sched_setscheduler(SCHED_FIFO)", probe_sched_fifo, EPERM},
        {"sched_setscheduler(SCHED_RR)", probe_sched_rr, EPERM},
        {"sched_setscheduler(SCHED_FIFO with high bits)", probe_sched_fifo_high_bits, EPERM},
        {"sched_setscheduler(SCHED_BATCH)", probe_sched_batch, 0},
        {"sched_setattr(SCHED_FIFO)", probe_sched_setattr_fifo, EPERM},
};

static const struct probe realtime_control_rows[] = {
        {"sched_setscheduler(SCHED_FIFO)", probe_sched_fifo, 0},
        {"sched_setscheduler(SCHED_BATCH)", probe_sched_batch, 0},
};

/* CAP_SYS_NICE is kept, so any EPERM is the filter's. */
static void test_restrict_realtime_refuses_realtime_policies(void **state)
{
        (void)state;
        struct pol_config c;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        c.capability_bounding_set = UINT64_C(1) << CAP_SYS_NICE;
        check_probes(&c, realtime_control_rows, ELEMENTSOF(realtime_control_rows));
        c.restrict_realtime = true;
        check_probes(&c, realtime_rows, ELEMENTSOF(realtime_rows));
        pol_config_done(&c);
}

static char suid_dir[64]; /* made before the child forks */

static int in_dir(char *buf, size_t size, const char *name)
{
        snprintf(buf, size, "%s/%s", suid_dir, name);
        return 0;
}

static int probe_chmod_suid(void)
{
        char p[128];
        in_dir(p, sizeof(p), "file");
        return ERR(chmod(p, 04755));
}
static int probe_chmod_plain(void)
{
        char p[128];
        in_dir(p, sizeof(p), "file");
        return ERR(chmod(p, 0755));
}
static int probe_fchmodat_sgid(void)
{
        return ERR(fchmodat(AT_FDCWD, suid_dir, 02755, 0));
}
static int probe_open_creat_suid(void)
{
        char p[128];
        in_dir(p, sizeof(p), "new-suid");
        int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 04700);
        return fd < 0 ? errno : (close(fd), 0);
}
static int probe_open_creat_plain(void)
{
        char p[128];
        in_dir(p, sizeof(p), "new-plain");
        int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0700);
        return fd < 0 ? errno : (close(fd), 0);
}
static int probe_open_no_creat_suid_mode(void)
{
        char p[128];
        in_dir(p, sizeof(p), "file");
        int fd = open(p, O_RDONLY | O_CLOEXEC, 04700); /* the mode is ignored without O_CREAT */
        return fd < 0 ? errno : (close(fd), 0);
}
static int probe_mkdir_sgid(void)
{
        char p[128];
        in_dir(p, sizeof(p), "dir-sgid");
        return ERR(mkdir(p, 02755));
}
static int probe_creat_sgid(void)
{
        char p[128];
        in_dir(p, sizeof(p), "creat-sgid");
        int fd = creat(p, 02644);
        return fd < 0 ? errno : (close(fd), 0);
}

static const struct probe suid_rows[] = {
        {"chmod(04755)", probe_chmod_suid, EPERM},
        {"chmod(0755)", probe_chmod_plain, 0},
        {"fchmodat(02755)", probe_fchmodat_sgid, EPERM},
        {"open(O_CREAT, 04700)", probe_open_creat_suid, EPERM},
        {"open(O_CREAT, 0700)", probe_open_creat_plain, 0},
        {"open(O_RDONLY, 04700)", probe_open_no_creat_suid_mode, 0},
        {"mkdir(02755)", probe_mkdir_sgid, EPERM},
        {"creat(02644)", probe_creat_sgid, EPERM},
};

static const struct probe suid_control_rows[] = {
        {"chmod(04755)", probe_chmod_suid, 0},
        {"mkdir(02755)", probe_mkdir_sgid, 0},
};

static void test_restrict_suid_sgid_refuses_set_id_modes(void **state)
{
        (void)state;
        char path[128];
        struct pol_config c;

        skip_unless_root();
        snprintf(suid_dir, sizeof(suid_dir), "/tmp/sockjail-suid-XXXXXX");
        assert_non_null(mkdtemp(suid_dir));
        in_dir(path, sizeof(path), "file");
        close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
        assert_int_equal(pol_config_init(&c), 0);
        check_probes(&c, suid_control_rows, ELEMENTSOF(suid_control_rows));
        in_dir(path, sizeof(path), "dir-sgid");
        assert_int_equal(rmdir(path), 0);
        c.restrict_suid_sgid = true;
        check_probes(&c, suid_rows, ELEMENTSOF(suid_rows));
        pol_config_done(&c);
        for (const char *const *n = (const char *const[]){"file", "new-plain", NULL}; *n; n++) {
                in_dir(path, sizeof(path), *n);
                unlink(path);
        }
        assert_int_equal(rmdir(suid_dir), 0);
}

/* ---- live: namespaces by type ---- */

static int probe_unshare_user(void)
{
        return ERR(unshare(CLONE_NEWUSER));
}
static int probe_setns_user(void)
{
        return ERR(setns(-1, CLONE_NEWUSER));
}
static int probe_setns_net(void)
{
        return ERR(setns(-1, CLONE_NEWNET));
}
static int probe_clone_newnet(void)
{
        return clone_and_reap(CLONE_NEWNET);
}

/* CAP_SYS_ADMIN is kept, so any EPERM is the filter's. */
static const struct probe ns_list_rows[] = {
        {"unshare(CLONE_NEWNET) (not listed)", probe_unshare_net, EPERM},
        {"unshare(0)", probe_unshare_nothing, 0},
        {"setns(-1, CLONE_NEWUSER) reaches the kernel", probe_setns_user, EBADF},
        {"setns(-1, CLONE_NEWNET)", probe_setns_net, EPERM},
        {"setns(-1, 0) (any type)", probe_setns, EPERM},
        {"clone(CLONE_NEWUSER) (listed)", probe_clone_newuser, 0},
        {"clone(CLONE_NEWNET)", probe_clone_newnet, EPERM},
        {"clone(SIGCHLD)", probe_clone_plain, 0},
        {"clone3", probe_clone3, ENOSYS},
        /* Last: an unmapped user namespace could not make another one. */
        {"unshare(CLONE_NEWUSER) (listed)", probe_unshare_user, 0},
};

static void test_namespace_list_allows_only_the_listed_types(void **state)
{
        (void)state;
        struct pol_config c;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        c.capability_bounding_set = UINT64_C(1) << CAP_SYS_ADMIN;
        c.allow_namespaces = (unsigned long)pol_namespace_from_name("user");
        check_probes(&c, ns_list_rows, ELEMENTSOF(ns_list_rows));
        pol_config_done(&c);
}

/* ---- live: other ABIs, the log action ---- */

#if defined(__x86_64__)
static long i386_call(long nr, long a, long b)
{
        long r;
        __asm__ volatile("int $0x80"
                         : "=a"(r)
                         : "a"(nr), "b"(a), "c"(b)
                         : "memory", "r8", "r9", "r10", "r11");
        return r;
}

/* getpid, then socketcall(SYS_SOCKET, {AF_UNIX, SOCK_STREAM, 0}) and socket(AF_UNIX) (359). */
static void child_i386_calls(int fd, const void *arg)
{
        static uint32_t args[3] = {AF_UNIX, SOCK_STREAM, 0};
        long r[4];

        (void)arg;
        r[0] = i386_call(20, 0, 0);
        r[1] = i386_call(102, 1, (long)(uintptr_t)args); /* refused before args are read */
        r[2] = i386_call(359, AF_UNIX, SOCK_STREAM);
        r[3] = getpid();
        (void)write_all(fd, r, sizeof(r));
}

static void test_x86_architecture_runs_i386_calls(void **state)
{
        (void)state;
        struct pol_config c;
        struct child_out out;
        long r[4];
        int64_t x86 = pol_architecture_from_name("x86");

        skip_unless_root();
        run_child(child_i386, NULL, &out);
        if (!WIFEXITED(out.status) || out.len != sizeof(long)) {
                print_message("kernel has no IA32 emulation (status 0x%x)\n", out.status);
                skip();
        }
        assert_true(x86 > 0);
        assert_int_equal(pol_config_init(&c), 0);
        c.architectures[c.n_architectures++] = (uint32_t)x86;
        run_policy(&c, child_i386_calls, NULL, &out);
        assert_true(WIFEXITED(out.status) && WEXITSTATUS(out.status) == 0);
        memcpy(r, expect_applied(&out), sizeof(r));
        assert_int_equal(r[0], r[3]); /* int 0x80 getpid answers */
        /* The family hides in socketcall's memory: no socket for i386 calls at all. */
        assert_int_equal(r[1], -EAFNOSUPPORT);
        assert_int_equal(r[2], -EAFNOSUPPORT);
        /* x32 is still another ABI: killed. */
        run_policy(&c, child_x32, NULL, &out);
        expect_sigsys(&out);
        pol_config_done(&c);
}
#endif

/* The kernel's audit record of a logged call: "pid=N ... syscall=M ... code=0x7ffc0000". */
static bool kmsg_has_log(pid_t pid, long nr)
{
        char want_pid[32], want_nr[32], rec[8192];
        int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        bool found = false;
        ssize_t k;

        if (fd < 0)
                return false;
        snprintf(want_pid, sizeof(want_pid), " pid=%d ", (int)pid);
        snprintf(want_nr, sizeof(want_nr), " syscall=%ld ", nr);
        while (!found && ((k = read(fd, rec, sizeof(rec) - 1)) > 0 || (k < 0 && errno == EPIPE))) {
                if (k <= 0)
                        continue;
                rec[k] = 0;
                found = strstr(rec, want_pid) && strstr(rec, want_nr) &&
                        strstr(rec, "code=0x7ffc0000");
        }
        close(fd);
        return found;
}

/* The SECCOMP_RET_LOG returns in the filters loaded in pid (stopped by the attach). */
static long count_log_returns(pid_t pid)
{
        static struct sock_filter insns[BPF_MAXINSNS];
        long n, found = 0;
        int status;

        assert_int_equal(ptrace(PTRACE_ATTACH, pid, NULL, NULL), 0);
        assert_int_equal(waitpid(pid, &status, __WALL), pid);
        for (long i = 0; (n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, insns)) > 0; i++)
                for (long k = 0; k < n; k++)
                        found += BPF_CLASS(insns[k].code) == BPF_RET &&
                                 insns[k].k == SECCOMP_RET_LOG;
        assert_int_equal(errno, ENOENT); /* past the last filter */
        (void)ptrace(PTRACE_DETACH, pid, NULL, NULL);
        return found;
}

/* A child applies c, calls getppid and waits, so that its filters can be read. */
static long run_logged(const struct pol_config *c, pid_t ret[2])
{
        struct pol_filter *f = NULL;
        long logs;
        int p[2];
        pid_t pid;

        assert_int_equal(pol_filter_build(c, &f, NULL, NULL), 0);
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                enum pol_step step;

                alarm(CHILD_TIMEOUT);
                if (pol_apply(c, f, &step) < 0)
                        _exit(1);
                ret[0] = getpid();
                ret[1] = (pid_t)syscall(SYS_getppid);
                (void)write_all(p[1], ret, 2 * sizeof(pid_t));
                for (;;)
                        pause();
        }
        close(p[1]);
        assert_int_equal(read(p[0], ret, 2 * sizeof(pid_t)), 2 * sizeof(pid_t));
        logs = count_log_returns(pid);
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, NULL, 0), pid);
        close(p[0]);
        pol_filter_free(f);
        return logs;
}

/*
 * The log program is there (its LOG returns read back with ptrace), the
 * logged call still works, and the kernel writes the record. The kernel
 * drops audit lines beyond 10 in 5 s when no audit daemon reads them, so a
 * missing record is looked for once more after that window.
 */
static void test_system_call_log_logs_and_allows(void **state)
{
        (void)state;
        struct pol_config c;
        pid_t r[2];
        bool found = false;

        skip_unless_root();
        assert_int_equal(pol_config_init(&c), 0);
        assert_int_equal(run_logged(&c, r), 0);
        c.system_call_log = calloc(1, sizeof(char *));
        c.system_call_log[0] = strdup("getppid");
        c.n_system_call_log = 1;
        for (int attempt = 0; attempt < 2 && !found; attempt++) {
                if (attempt)
                        sleep(6);
                assert_true(run_logged(&c, r) > 0);
                assert_int_equal(r[1], getpid()); /* allowed: the answer is the parent's pid */
                for (int i = 0; i < 10 && !found; i++, usleep(50000))
                        found = kmsg_has_log(r[0], SYS_getppid);
        }
        if (!found)
                fail_msg("no seccomp log record for pid %d, syscall %ld in /dev/kmsg", (int)r[0],
                         (long)SYS_getppid);
        /* A denied call stays denied: the strictest program wins. */
        free(c.system_call_log[0]);
        c.system_call_log[0] = strdup("~getpid");
        static const struct probe rows[] = {
                {"ptrace (denied, not logged away)", probe_ptrace, EPERM},
                {"getppid (logged, allowed)", probe_getppid, 0}};
        check_probes(&c, rows, ELEMENTSOF(rows));
        pol_config_done(&c);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_family_names_map_to_numbers),
                cmocka_unit_test(test_every_family_number_round_trips_through_its_name),
                cmocka_unit_test(test_capability_names_accept_prefix_and_any_case),
                cmocka_unit_test(test_errno_names_and_numbers_parse),
                cmocka_unit_test(test_step_names_are_short_and_distinct),
                cmocka_unit_test(test_groups_hold_systemds_sets),
                cmocka_unit_test(test_every_nested_group_reference_resolves),
                cmocka_unit_test(test_filter_build_reports_the_bad_entry_and_word),
                cmocka_unit_test(test_filter_build_rejects_bad_settings_outside_the_filter),
                cmocka_unit_test(test_default_config_matches_the_documented_profile),
                cmocka_unit_test(test_default_yaml_states_exactly_the_built_in_defaults),
                cmocka_unit_test(test_describe_prints_the_default_plan_deterministically),
                cmocka_unit_test(test_describe_names_ids_and_kept_capabilities),
                cmocka_unit_test(test_describe_refuses_an_invalid_filter),
                cmocka_unit_test(test_process_and_restriction_names),
                cmocka_unit_test(test_describe_shows_the_process_and_restriction_keys),
                cmocka_unit_test(test_every_restriction_on_every_abi_compiles),
                cmocka_unit_test(test_default_profile_denies_and_allows_as_documented),
                cmocka_unit_test(test_deny_list_denies_only_what_it_names),
                cmocka_unit_test(test_allow_list_removals_fall_back_to_the_error_number),
                cmocka_unit_test(test_no_filter_entries_and_no_restrictions_allow_everything),
                cmocka_unit_test(test_family_deny_list_refuses_only_listed_families),
                cmocka_unit_test(test_strict_profile_also_denies_privileged_calls),
                cmocka_unit_test(test_error_number_zero_kills_with_sigsys),
                cmocka_unit_test(test_kill_suffix_kills_with_sigsys),
#if defined(__x86_64__)
                cmocka_unit_test(test_i386_syscall_is_killed_with_sigsys),
                cmocka_unit_test(test_x32_syscall_is_killed_with_sigsys),
#endif
                cmocka_unit_test(test_default_profile_empties_every_capability_set),
                cmocka_unit_test(test_switching_to_nobody_sets_ids_groups_and_no_caps),
                cmocka_unit_test(test_switching_ids_with_no_groups_clears_supplementary_groups),
                cmocka_unit_test(test_kept_capability_survives_exec_as_nobody),
                cmocka_unit_test(test_default_profile_runs_a_dynamically_linked_program),
                cmocka_unit_test(test_apply_reports_the_failing_step),
                cmocka_unit_test(test_default_profile_closes_tcp_out_through_a_passed_socket),
                cmocka_unit_test(test_allowing_inet_leaves_tcp_through_passed_sockets_open),
                cmocka_unit_test(test_default_profile_refuses_interface_ioctls),
                cmocka_unit_test(test_process_attributes_reach_the_child),
                cmocka_unit_test(test_default_umask_is_0022_and_limits_stay),
                cmocka_unit_test(test_process_steps_report_their_failures),
                cmocka_unit_test(test_secure_bits_are_set_and_locked),
                cmocka_unit_test(test_ambient_capabilities_are_a_subset_as_nobody),
                cmocka_unit_test(test_memory_deny_write_execute_refuses_writable_code),
                cmocka_unit_test(test_restrict_realtime_refuses_realtime_policies),
                cmocka_unit_test(test_restrict_suid_sgid_refuses_set_id_modes),
                cmocka_unit_test(test_namespace_list_allows_only_the_listed_types),
#if defined(__x86_64__)
                cmocka_unit_test(test_x86_architecture_runs_i386_calls),
#endif
                cmocka_unit_test(test_system_call_log_logs_and_allows),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
