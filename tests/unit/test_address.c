/* SPDX-License-Identifier: MIT */
/*
 * addr_parse(), addr_format(), addr_unix_path(): one table per question, one loop per table.
 * Every fuzz finding becomes a row. The last tests bind real sockets and read them back with
 * getsockname(), so the tables agree with the kernel and not only with themselves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/util.h"
#include "injector/address.h"

#define OFF offsetof(struct sockaddr_un, sun_path)
#define C10 "0123456789"
#define C100 C10 C10 C10 C10 C10 C10 C10 C10 C10 C10
#define PATH107 "/" C100 "abcdef"
#define PATH108 "/" C100 "abcdefg"
#define ABSTRACT107 "@" C100 "abcdefg"
#define ABSTRACT108 "@" C100 "abcdefgh"

/* {input, return, size (0: the family's struct size), addr_format() text}. */
static const struct parse_row {
        const char *in;
        int ret;
        socklen_t size;
        const char *out;
} parse_rows[] = {
        /* IPv4: strict dotted quad, decimal port */
        {"127.0.0.1:8080", 0, 0, "127.0.0.1:8080"},
        {"0.0.0.0:0", 0, 0, "0.0.0.0:0"},
        {"255.255.255.255:65535", 0, 0, "255.255.255.255:65535"},
        {"10.0.0.1:080", 0, 0, "10.0.0.1:80"},
        {"1.2.3.4:65536", -ERANGE, 0, NULL},
        {"1.2.3.4:99999999999", -ERANGE, 0, NULL},
        {"1.2.3.4:99999999999999999999999", -ERANGE, 0, NULL},
        {"1.2.3.4:99999999999999999999999x", -EINVAL, 0, NULL},
        {"1.2.3.4", -EINVAL, 0, NULL},
        {"1.2.3.4:", -EINVAL, 0, NULL},
        {"1.2.3.4:80x", -EINVAL, 0, NULL},
        {"1.2.3.4:80:81", -EINVAL, 0, NULL},
        {"1.2.3.4: 80", -EINVAL, 0, NULL},
        {"1.2.3.4:80 ", -EINVAL, 0, NULL},
        {" 1.2.3.4:80", -EINVAL, 0, NULL},
        {"1.2.3.4 :80", -EINVAL, 0, NULL},
        {"1.2.3.4:+80", -EINVAL, 0, NULL},
        {"1.2.3.4:-80", -EINVAL, 0, NULL},
        {"1.2.3.4:0x50", -EINVAL, 0, NULL},
        {"1.2.3.4:80%lo", -EINVAL, 0, NULL},
        {"1.2.3:80", -EINVAL, 0, NULL},
        {"1.2.3.4.5:80", -EINVAL, 0, NULL},
        {"256.1.1.1:80", -EINVAL, 0, NULL},
        {"192.168.001.1:80", -EINVAL, 0, NULL},
        {"0x7f.0.0.1:80", -EINVAL, 0, NULL},
        {"localhost:80", -EINVAL, 0, NULL},
        {"*:80", -EINVAL, 0, NULL},
        {":80", -EINVAL, 0, NULL},
        {"tcp://1.2.3.4:80", -EINVAL, 0, NULL},
        {"1.2.3.4.255.255.255.255.255:80", -EINVAL, 0, NULL},
        /* IPv6: brackets, canonical output, scope as a number */
        {"[::1]:80", 0, 0, "[::1]:80"},
        {"[::]:0", 0, 0, "[::]:0"},
        {"[0:0:0:0:0:0:0:1]:80", 0, 0, "[::1]:80"},
        {"[FE80::1]:443", 0, 0, "[fe80::1]:443"},
        {"[::ffff:1.2.3.4]:80", 0, 0, "[::ffff:1.2.3.4]:80"},
        {"[fe80::1]:80%lo", 0, 0, "[fe80::1]:80%1"},
        {"[fe80::1]:80%1", 0, 0, "[fe80::1]:80%1"},
        {"[fe80::1]:80%99", 0, 0, "[fe80::1]:80%99"},
        {"[fe80::1]:80%2147483647", 0, 0, "[fe80::1]:80%2147483647"},
        {"[fe80::1%lo]:80", 0, 0, "[fe80::1]:80%1"},
        {"[fe80::1%7]:80", 0, 0, "[fe80::1]:80%7"},
        {"[::1]:65535", 0, 0, "[::1]:65535"},
        {"[::1]:65536", -ERANGE, 0, NULL},
        {"[::1]:99999999999", -ERANGE, 0, NULL},
        {"[::1]", -EINVAL, 0, NULL},
        {"[::1]:", -EINVAL, 0, NULL},
        {"[::1]80", -EINVAL, 0, NULL},
        {"[::1", -EINVAL, 0, NULL},
        {"[::1]:8 0", -EINVAL, 0, NULL},
        {"[::1]:-1", -EINVAL, 0, NULL},
        {"[[::1]]:80", -EINVAL, 0, NULL},
        {"[]:80", -EINVAL, 0, NULL},
        {"[1.2.3.4]:80", -EINVAL, 0, NULL},
        {"[::1 ]:80", -EINVAL, 0, NULL},
        {"::1:80", -EINVAL, 0, NULL},
        {"::1", -EINVAL, 0, NULL},
        {"[::1]:80%", -EINVAL, 0, NULL},
        {"[::1]:80%0", -EINVAL, 0, NULL},
        {"[::1]:80%2147483648", -EINVAL, 0, NULL},
        {"[::1]:80%99999999999999999999999", -EINVAL, 0, NULL},
        {"[::1]:80%sockjail-nodev", -ENODEV, 0, NULL},
        {"[::1]:80%abcdefghijklmnop", -EINVAL, 0, NULL},
        {"[::1]:80%a/b", -EINVAL, 0, NULL},
        {"[::1]:80%a:b", -EINVAL, 0, NULL},
        {"[::1]:80% lo", -EINVAL, 0, NULL},
        {"[::1]:80%lo%lo", -EINVAL, 0, NULL},
        {"[::1]:80%\x7f", -EINVAL, 0, NULL},
        {"[fe80::1%lo]:80%lo", -EINVAL, 0, NULL},
        {"[fe80::1%]:80", -EINVAL, 0, NULL},
        {"[fe80::1%lo]:80x", -EINVAL, 0, NULL},
        {"[::1]:65536%lo", -ERANGE, 0, NULL},
        /* unix: the file system, NUL counted in size */
        {"/run/x.sock", 0, OFF + 12, "/run/x.sock"},
        {"/a", 0, OFF + 3, "/a"},
        {"//", 0, OFF + 3, "//"},
        {"/a b:80", 0, OFF + 8, "/a b:80"},
        {"/tab\there", 0, OFF + 10, "/tab\\x09here"},
        {"/back\\slash", 0, OFF + 12, "/back\\\\slash"},
        {PATH107, 0, OFF + 108, PATH107},
        {PATH108, -ENAMETOOLONG, 0, NULL},
        {PATH108 "/more", -ENAMETOOLONG, 0, NULL},
        {"/", -EINVAL, 0, NULL},
        /* unix: abstract, no NUL, at least one byte of name */
        {"@name", 0, OFF + 5, "@name"},
        {"@a", 0, OFF + 2, "@a"},
        {"@with space", 0, OFF + 11, "@with space"},
        {"@\x01", 0, OFF + 2, "@\\x01"},
        {"@caf\xc3\xa9", 0, OFF + 6, "@caf\\xc3\\xa9"},
        {"@@", 0, OFF + 2, "@@"},
        {ABSTRACT107, 0, OFF + 108, ABSTRACT107},
        {ABSTRACT108, -ENAMETOOLONG, 0, NULL},
        {"@", -EINVAL, 0, NULL},
        /* vsock: numeric CID and port, empty CID is any */
        {"vsock:2:80", 0, 0, "vsock:2:80"},
        {"vsock::80", 0, 0, "vsock::80"},
        {"vsock:4294967295:80", 0, 0, "vsock::80"},
        {"vsock:0:0", 0, 0, "vsock:0:0"},
        {"vsock:3:4294967295", 0, 0, "vsock:3:4294967295"},
        {"vsock:4294967296:80", -ERANGE, 0, NULL},
        {"vsock:2:4294967296", -ERANGE, 0, NULL},
        {"vsock:99999999999999999999999:1", -ERANGE, 0, NULL},
        {"vsock:2", -EINVAL, 0, NULL},
        {"vsock:", -EINVAL, 0, NULL},
        {"vsock::", -EINVAL, 0, NULL},
        {"vsock:2:", -EINVAL, 0, NULL},
        {"vsock:-1:80", -EINVAL, 0, NULL},
        {"vsock:+2:80", -EINVAL, 0, NULL},
        {"vsock: 2:80", -EINVAL, 0, NULL},
        {"vsock:0x2:80", -EINVAL, 0, NULL},
        {"vsock:2:80:1", -EINVAL, 0, NULL},
        {"vsock:host:80", -EINVAL, 0, NULL},
        {"VSOCK:2:80", -EINVAL, 0, NULL},
        {"vsock", -EINVAL, 0, NULL},
        /* nothing at all */
        {"", -EINVAL, 0, NULL},
        {" ", -EINVAL, 0, NULL},
        {"relative/path", -EINVAL, 0, NULL},
        {"./x.sock", -EINVAL, 0, NULL},
};

static socklen_t family_size(int family)
{
        switch (family) {
        case AF_INET:
                return sizeof(struct sockaddr_in);
        case AF_INET6:
                return sizeof(struct sockaddr_in6);
        case AF_VSOCK:
                return sizeof(struct sockaddr_vm);
        default:
                return 0;
        }
}

static bool addr_same(const struct addr *a, const struct addr *b)
{
        return a->size == b->size && memcmp(&a->u, &b->u, sizeof(a->u)) == 0;
}

static void check_parse_row(const struct parse_row *row)
{
        struct addr a, b;
        char buf[ADDR_FORMAT_MAX];

        memset(&a, 0x5a, sizeof(a));
        assert_int_equal(addr_parse(row->in, &a), row->ret);
        if (row->ret < 0)
                return;
        assert_int_equal(a.size, row->size ? row->size : family_size(addr_family(&a)));
        assert_int_equal(addr_format(&a.u.sa, a.size, buf, sizeof(buf)), 0);
        assert_string_equal(buf, row->out);
        if (strchr(buf, '\\'))
                return; /* escaped names are for reading, not for parsing back */
        assert_int_equal(addr_parse(buf, &b), 0);
        assert_true(addr_same(&a, &b));
}

static void test_parse_table(void **state)
{
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(parse_rows); i++) {
                print_message("parse row %zu: '%s'\n", i, parse_rows[i].in);
                check_parse_row(&parse_rows[i]);
        }
}

/* Same rule as address.c, asked of this kernel: decides what a port alone means. */
static bool kernel_has_ipv6(void)
{
        int fd;

        if (access("/proc/net/if_inet6", F_OK) == 0)
                return true;
        fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        safe_close(fd);
        return fd >= 0;
}

/* A port alone: every address, IPv6 when the kernel has it. port is host order. */
static const struct port_row {
        const char *in;
        int ret;
        unsigned port;
} port_rows[] = {
        {"80", 0, 80},
        {"0", 0, 0},
        {"1", 0, 1},
        {"65535", 0, 65535},
        {"080", 0, 80},
        {"00000000000000000000080", 0, 80},
        {"65536", -ERANGE, 0},
        {"99999999999", -ERANGE, 0},
        {"18446744073709551616", -ERANGE, 0},
        {"", -EINVAL, 0},
        {" 80", -EINVAL, 0},
        {"80 ", -EINVAL, 0},
        {"+80", -EINVAL, 0},
        {"-80", -EINVAL, 0},
        {"-0", -EINVAL, 0},
        {"0x50", -EINVAL, 0},
        {"8O", -EINVAL, 0},
        {"80%lo", -EINVAL, 0},
        {"80.0", -EINVAL, 0},
        {"http", -EINVAL, 0},
};

static void test_port_table(void **state)
{
        bool v6 = kernel_has_ipv6();

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(port_rows); i++) {
                const struct port_row *row = &port_rows[i];
                struct addr a;

                print_message("port row %zu: '%s'\n", i, row->in);
                assert_int_equal(addr_parse(row->in, &a), row->ret);
                if (row->ret < 0)
                        continue;
                assert_int_equal(addr_family(&a), v6 ? AF_INET6 : AF_INET);
                if (v6) {
                        assert_memory_equal(&a.u.in6.sin6_addr, &in6addr_any, 16);
                        assert_int_equal(ntohs(a.u.in6.sin6_port), row->port);
                } else {
                        assert_int_equal(a.u.in.sin_addr.s_addr, htonl(INADDR_ANY));
                        assert_int_equal(ntohs(a.u.in.sin_port), row->port);
                }
        }
}

/* Hand-made sockaddrs, mostly what the kernel (or a caller) may hand to addr_format(). */
static const struct format_row {
        sa_family_t family;
        const char *bytes; /* after sa_family: sun_path for AF_UNIX */
        size_t n_bytes;
        socklen_t size;
        int ret;
        const char *out;
} format_rows[] = {
        {AF_UNIX, "", 0, OFF, 0, "<unnamed>"},
        {AF_UNIX, "\0", 1, OFF + 1, 0, "<unnamed>"},
        {AF_UNIX, "\0a", 2, OFF + 2, 0, "@a"},
        {AF_UNIX, "\0ab\0c", 5, OFF + 5, 0, "@ab\\x00c"},
        {AF_UNIX, "\0\n\\\x7f\xff", 5, OFF + 5, 0, "@\\x0a\\\\\\x7f\\xff"},
        {AF_UNIX, "\0a\0\0", 4, OFF + 4, 0, "@a\\x00\\x00"},
        {AF_UNIX, "/x\0", 3, OFF + 3, 0, "/x"},
        {AF_UNIX, "/x", 2, OFF + 2, 0, "/x"},
        {AF_UNIX, "/x\0garbage", 10, OFF + 10, 0, "/x"},
        {AF_UNIX, "/x\0", 3, sizeof(struct sockaddr_un), 0, "/x"},
        {AF_UNIX, "/" C100 "abcdefg", 108, OFF + 108, 0, "/" C100 "abcdefg"},
        {AF_UNIX, "/" C100 "abcdefg", 108, OFF + 109, 0, "/" C100 "abcdefg"},
        {AF_UNIX, "/x", 2, sizeof(struct sockaddr_un) + 2, -EINVAL, NULL},
        {AF_UNIX, "", 0, 1, -EINVAL, NULL},
        {AF_UNIX, "", 0, 0, -EINVAL, NULL},
        {AF_INET, "", 0, sizeof(struct sockaddr_in) - 1, -EINVAL, NULL},
        {AF_INET, "", 0, sizeof(struct sockaddr_in), 0, "0.0.0.0:0"},
        {AF_INET6, "", 0, sizeof(struct sockaddr_in6) - 1, -EINVAL, NULL},
        {AF_INET6, "", 0, sizeof(struct sockaddr_in6), 0, "[::]:0"},
        {AF_VSOCK, "", 0, sizeof(struct sockaddr_vm) - 1, -EINVAL, NULL},
        {AF_VSOCK, "", 0, sizeof(struct sockaddr_vm), 0, "vsock:0:0"},
        {AF_UNSPEC, "", 0, sizeof(struct sockaddr_storage), -EAFNOSUPPORT, NULL},
        {AF_NETLINK, "", 0, 12, -EAFNOSUPPORT, NULL},
        {AF_PACKET, "", 0, 20, -EAFNOSUPPORT, NULL},
};

static void test_format_table(void **state)
{
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(format_rows); i++) {
                const struct format_row *row = &format_rows[i];
                union addr_sockaddr u;
                char buf[ADDR_FORMAT_MAX];

                print_message("format row %zu\n", i);
                memset(&u, 0, sizeof(u));
                u.sa.sa_family = row->family;
                memcpy((char *)&u + sizeof(sa_family_t), row->bytes, row->n_bytes);
                assert_int_equal(addr_format(&u.sa, row->size, buf, sizeof(buf)), row->ret);
                if (row->ret == 0)
                        assert_string_equal(buf, row->out);
        }
}

/* The longest text there is: "@" and 108 bytes that all need escaping, size one past the struct. */
static void test_format_longest(void **state)
{
        union addr_sockaddr u;
        char buf[ADDR_FORMAT_MAX];

        (void)state;
        memset(&u, 0xff, sizeof(u));
        u.un.sun_family = AF_UNIX;
        u.un.sun_path[0] = 0;
        assert_int_equal(addr_format(&u.sa, sizeof(struct sockaddr_un) + 1, buf, sizeof(buf)), 0);
        assert_int_equal(strlen(buf), 1 + 4 * 108);
        u.un.sun_path[0] = '/';
        assert_int_equal(addr_format(&u.sa, sizeof(struct sockaddr_un) + 1, buf, sizeof(buf)), 0);
        assert_int_equal(strlen(buf), 1 + 4 * 108);
}

/* -ENOSPC exactly when the text and its NUL do not fit, and then buf is left alone. */
static const struct space_row {
        const char *in;
        size_t bufsize;
        int ret;
} space_rows[] = {
        {"127.0.0.1:8080", 14, -ENOSPC},
        {"127.0.0.1:8080", 15, 0},
        {"[::1]:80", 8, -ENOSPC},
        {"[::1]:80", 9, 0},
        {"[fe80::1]:80%1", 14, -ENOSPC},
        {"[fe80::1]:80%1", 15, 0},
        {"@name", 5, -ENOSPC},
        {"@name", 6, 0},
        {"/run/x.sock", 11, -ENOSPC},
        {"/run/x.sock", 12, 0},
        {"vsock::80", 9, -ENOSPC},
        {"vsock::80", 10, 0},
        {"vsock:2:80", 0, -ENOSPC},
        {"@\x01", 5, -ENOSPC},
        {"@\x01", 6, 0},
};

static void test_space_table(void **state)
{
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(space_rows); i++) {
                const struct space_row *row = &space_rows[i];
                char buf[ADDR_FORMAT_MAX];
                struct addr a;

                print_message("space row %zu: '%s' in %zu\n", i, row->in, row->bufsize);
                memset(buf, 'Z', sizeof(buf));
                assert_int_equal(addr_parse(row->in, &a), 0);
                assert_int_equal(addr_format(&a.u.sa, a.size, buf, row->bufsize), row->ret);
                if (row->ret < 0)
                        assert_int_equal(buf[0], 'Z');
                else
                        assert_int_equal(strlen(buf), row->bufsize - 1);
        }
}

static const struct path_row {
        const char *in;
        const char *path;
} path_rows[] = {
        {"/run/x.sock", "/run/x.sock"}, /* the file system */
        {PATH107, PATH107},             /* the longest, its NUL in the last byte */
        {"//", "//"},
        {"@name", NULL}, /* abstract */
        {"127.0.0.1:80", NULL},
        {"[::1]:80", NULL},
        {"vsock::80", NULL},
        {"80", NULL},
};

static void test_unix_path_table(void **state)
{
        struct addr a;

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(path_rows); i++) {
                const char *p;

                print_message("path row %zu: '%s'\n", i, path_rows[i].in);
                assert_int_equal(addr_parse(path_rows[i].in, &a), 0);
                p = addr_unix_path(&a);
                if (path_rows[i].path)
                        assert_string_equal(p, path_rows[i].path);
                else
                        assert_null(p);
        }
        memset(&a, 0, sizeof(a));
        a.u.un.sun_family = AF_UNIX;
        a.size = OFF; /* unnamed */
        assert_null(addr_unix_path(&a));
        assert_null(addr_unix_path(NULL));
}

static void test_null_args(void **state)
{
        struct addr a;
        char buf[8];

        (void)state;
        assert_int_equal(addr_parse(NULL, &a), -EINVAL);
        assert_int_equal(addr_parse("80", NULL), -EINVAL);
        assert_int_equal(addr_format(NULL, 16, buf, sizeof(buf)), -EINVAL);
        assert_int_equal(addr_parse("127.0.0.1:80", &a), 0);
        assert_int_equal(addr_format(&a.u.sa, a.size, NULL, 0), -ENOSPC);
}

/* Addresses bound for real; "%s" becomes a private directory, "%d" the pid. */
static const struct kernel_row {
        const char *tmpl;
        int type;
} kernel_rows[] = {
        {"127.0.0.1:0", SOCK_STREAM},
        {"127.0.0.1:0", SOCK_DGRAM},
        {"[::1]:0", SOCK_STREAM},
        {"[::1]:0%lo", SOCK_DGRAM},
        {"0", SOCK_STREAM},
        {"@sockjail-test-address-%d", SOCK_STREAM},
        {"@sockjail-test-address-%d-dgram", SOCK_DGRAM},
        {"@sockjail test\\%d\x01", SOCK_SEQPACKET},
        {"%s/s.sock", SOCK_STREAM},
        {"%s/", SOCK_DGRAM}, /* padded to the longest path sun_path takes */
};

static char tmpdir[] = "/tmp/sockjail-test-address.XXXXXX";

static int setup_tmpdir(void **state)
{
        (void)state;
        return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmpdir(void **state)
{
        (void)state;
        return rmdir(tmpdir);
}

static void expand(const char *tmpl, char *buf, size_t size)
{
        if (strstr(tmpl, "%s"))
                (void)snprintf(buf, size, "%s%s", tmpdir, tmpl + 2);
        else if (strstr(tmpl, "%d"))
                (void)snprintf(buf, size, "%.*s%d%s", (int)(strstr(tmpl, "%d") - tmpl), tmpl,
                               (int)getpid(), strstr(tmpl, "%d") + 2);
        else
                (void)snprintf(buf, size, "%s", tmpl);
        if (tmpl[strlen(tmpl) - 1] == '/') {
                size_t l = strlen(buf), want = sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1;

                if (l < want && want < size) {
                        memset(buf + l, 'x', want - l);
                        buf[want] = 0;
                }
        }
}

/* Bind a; getsockname() into ret. -errno when this kernel cannot (no IPv6 here, say). */
static int bind_and_get(const struct addr *a, int type, struct addr *ret)
{
        _cleanup_close_ int fd = socket(addr_family(a), type | SOCK_CLOEXEC, 0);

        if (fd < 0 || bind(fd, &a->u.sa, a->size) < 0)
                return negative_errno();
        memset(ret, 0, sizeof(*ret));
        ret->size = sizeof(ret->u);
        if (getsockname(fd, &ret->u.sa, &ret->size) < 0)
                return negative_errno();
        return 0;
}

/* What the kernel reports formats to text that parses back to the same bytes. */
static void check_kernel_row(const struct kernel_row *row)
{
        char in[ADDR_FORMAT_MAX], want[ADDR_FORMAT_MAX], got[ADDR_FORMAT_MAX];
        struct addr a, k = {.size = 0}, back;
        int r;

        expand(row->tmpl, in, sizeof(in));
        print_message("kernel row '%s'\n", in);
        assert_int_equal(addr_parse(in, &a), 0);
        r = bind_and_get(&a, row->type, &k);
        if (r == -EAFNOSUPPORT || r == -EADDRNOTAVAIL) {
                print_message("  no %s here (%s), row skipped\n", in, strerror(-r));
                return;
        }
        assert_int_equal(r, 0);
        if (addr_unix_path(&a))
                assert_int_equal(unlink(addr_unix_path(&a)), 0);
        assert_int_equal(addr_format(&k.u.sa, k.size, got, sizeof(got)), 0);
        assert_int_equal(addr_format(&a.u.sa, a.size, want, sizeof(want)), 0);
        if (addr_family(&a) == AF_UNIX) {
                assert_string_equal(got, want);
                assert_true(addr_same(&a, &k));
                return;
        }
        /* IP with port 0: same host text, and the kernel picked a port */
        assert_int_equal(strrchr(got, ':') - got, strrchr(want, ':') - want);
        assert_memory_equal(got, want, (size_t)(strrchr(want, ':') - want));
        assert_int_equal(addr_parse(got, &back), 0);
        assert_true(addr_same(&back, &k));
        assert_int_not_equal(back.u.in.sin_port, 0);
}

static void test_kernel_table(void **state)
{
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(kernel_rows); i++)
                check_kernel_row(&kernel_rows[i]);
}

/* A socketpair end has no name; binding with no path autobinds a 5-hex-digit abstract name. */
static void test_kernel_unnamed_and_autobind(void **state)
{
        int sv[2];
        struct addr k, back;
        char got[ADDR_FORMAT_MAX];
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sa_family_t family = AF_UNIX;

        (void)state;
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        k.size = sizeof(k.u);
        assert_int_equal(getsockname(sv[0], &k.u.sa, &k.size), 0);
        safe_close(sv[0]);
        safe_close(sv[1]);
        assert_int_equal(addr_format(&k.u.sa, k.size, got, sizeof(got)), 0);
        assert_string_equal(got, "<unnamed>");
        assert_int_equal(addr_parse(got, &back), -EINVAL);

        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (const struct sockaddr *)&family, sizeof(family)), 0);
        memset(&k, 0, sizeof(k));
        k.size = sizeof(k.u);
        assert_int_equal(getsockname(fd, &k.u.sa, &k.size), 0);
        assert_int_equal(addr_format(&k.u.sa, k.size, got, sizeof(got)), 0);
        assert_int_equal(strlen(got), 6);
        assert_int_equal(got[0], '@');
        assert_int_equal(addr_parse(got, &back), 0);
        assert_true(addr_same(&back, &k));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_table),
                cmocka_unit_test(test_port_table),
                cmocka_unit_test(test_format_table),
                cmocka_unit_test(test_format_longest),
                cmocka_unit_test(test_space_table),
                cmocka_unit_test(test_unix_path_table),
                cmocka_unit_test(test_null_args),
                cmocka_unit_test(test_kernel_table),
                cmocka_unit_test(test_kernel_unnamed_and_autobind),
        };

        return cmocka_run_group_tests(tests, setup_tmpdir, teardown_tmpdir);
}
