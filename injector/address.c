/* SPDX-License-Identifier: MIT */
/*
 * ListenStream= addresses, read the way systemd's socket_address_parse() reads them and printed
 * so that addr_parse() reads the text back to the same bytes.
 */
#include "injector/address.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"

#define SUN_PATH_OFFSET offsetof(struct sockaddr_un, sun_path)
#define SUN_PATH_MAX sizeof(((struct sockaddr_un *)NULL)->sun_path)

/* Worst case: "@" or a path, every byte escaped as \xNN, one byte past sun_path (Linux may
 * return a full, unterminated sun_path plus a NUL), and the final NUL. */
_Static_assert(ADDR_FORMAT_MAX >= 1 + 4 * (SUN_PATH_MAX + 1) + 1, "ADDR_FORMAT_MAX too small");

/* A piece of the input, not NUL-terminated: parsing never writes into the caller's string. */
struct span {
        const char *p;
        size_t n;
};

static struct span span_until(const char *s, const char *end)
{
        return (struct span){s, end - s};
}

/*
 * Decimal digits only: no sign, no spaces, no "0x". A too large value is -ERANGE only if the span
 * is otherwise well formed, so "99999999999x" stays -EINVAL.
 */
static int parse_decimal(struct span s, uint64_t max, uint64_t *ret)
{
        uint64_t v = 0;
        bool over = false;

        if (s.n == 0)
                return -EINVAL;
        for (size_t i = 0; i < s.n; i++) {
                if (s.p[i] < '0' || s.p[i] > '9')
                        return -EINVAL;
                if (!over && (__builtin_mul_overflow(v, 10, &v) ||
                              __builtin_add_overflow(v, (uint64_t)(s.p[i] - '0'), &v)))
                        over = true;
        }
        if (over || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

/* Port 0 is accepted on purpose (the kernel picks one); systemd refuses it. */
static int parse_port(struct span s, in_port_t *ret)
{
        uint64_t v;
        int r = parse_decimal(s, UINT16_MAX, &v);

        if (r < 0)
                return r;
        *ret = htons((uint16_t)v);
        return 0;
}

/* Copy a span into a NUL-terminated buffer for inet_pton() and if_nametoindex(). */
static int span_copy(struct span s, char *buf, size_t size)
{
        if (s.n >= size)
                return -EINVAL;
        memcpy(buf, s.p, s.n);
        buf[s.n] = 0;
        return 0;
}

/* systemd's ifname_valid_char(): printable ASCII without space, ':', '/' and '%'. */
static bool ifname_valid(const char *name)
{
        for (const char *c = name; *c; c++)
                if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 127 || strchr(":/%", *c))
                        return false;
        return *name != 0;
}

/*
 * The scope after '%': an interface index (taken as is, like systemd) or a name that must exist
 * in this network namespace. Malformed is -EINVAL, well formed but unknown -ENODEV.
 */
static int parse_scope(struct span s, uint32_t *ret)
{
        char name[IFNAMSIZ];
        uint64_t idx;
        unsigned k;
        int r = parse_decimal(s, INT32_MAX, &idx);

        if (r == 0 && idx > 0) {
                *ret = (uint32_t)idx;
                return 0;
        }
        if (r != -EINVAL)
                return -EINVAL; /* all digits but 0 or too large: not a name either */
        if (span_copy(s, name, sizeof(name)) < 0 || !ifname_valid(name))
                return -EINVAL;
        errno = 0;
        k = if_nametoindex(name);
        if (k == 0)
                return errno == ENODEV || errno == 0 ? -ENODEV : negative_errno();
        *ret = k;
        return 0;
}

/* "/path" or "@abstract", as systemd's sockaddr_un_set_path(): at least one byte of name. */
static int parse_unix(const char *s, struct addr *a)
{
        size_t l = strlen(s);

        if (l < 2)
                return -EINVAL;
        a->u.un.sun_family = AF_UNIX;
        if (s[0] == '@') {
                /* The name fills sun_path after the leading NUL, unterminated. */
                if (l > SUN_PATH_MAX)
                        return -ENAMETOOLONG;
                memcpy(a->u.un.sun_path + 1, s + 1, l - 1);
                a->size = (socklen_t)(SUN_PATH_OFFSET + l);
                return 0;
        }
        if (l + 1 > SUN_PATH_MAX)
                return -ENAMETOOLONG;
        memcpy(a->u.un.sun_path, s, l + 1);
        a->size = (socklen_t)(SUN_PATH_OFFSET + l + 1);
        return 0;
}

/* "CID:PORT" after "vsock:"; an empty CID means any. */
static int parse_vsock(const char *s, struct addr *a)
{
        const char *colon = strchr(s, ':');
        uint64_t cid = VMADDR_CID_ANY, port;
        int r;

        if (!colon)
                return -EINVAL;
        if (colon > s) {
                r = parse_decimal(span_until(s, colon), UINT32_MAX, &cid);
                if (r < 0)
                        return r;
        }
        r = parse_decimal((struct span){colon + 1, strlen(colon + 1)}, UINT32_MAX, &port);
        if (r < 0)
                return r;
        a->u.vm.svm_family = AF_VSOCK;
        a->u.vm.svm_cid = (unsigned)cid;
        a->u.vm.svm_port = (unsigned)port;
        a->size = sizeof(struct sockaddr_vm);
        return 0;
}

/* The inside of "[...]": an address, optionally "%scope" (the RFC 4007 spelling). */
static int parse_in6_host(struct span host, struct addr *a, struct span *ret_scope)
{
        char buf[INET6_ADDRSTRLEN];
        const char *pct = memchr(host.p, '%', host.n);

        if (pct) {
                *ret_scope = span_until(pct + 1, host.p + host.n);
                host = span_until(host.p, pct);
        }
        if (span_copy(host, buf, sizeof(buf)) < 0 ||
            inet_pton(AF_INET6, buf, &a->u.in6.sin6_addr) != 1)
                return -EINVAL;
        return 0;
}

/* "[x]:y", "[x]:y%dev" (systemd) or "[x%dev]:y". */
static int parse_in6(const char *s, struct addr *a)
{
        const char *close = strchr(s, ']'), *pct;
        struct span scope = {NULL, 0}, port;
        uint32_t scope_id = 0;
        int r;

        if (!close || close[1] != ':')
                return -EINVAL;
        r = parse_in6_host(span_until(s + 1, close), a, &scope);
        if (r < 0)
                return r;
        pct = strchr(close + 2, '%');
        port = span_until(close + 2, pct ? pct : close + 2 + strlen(close + 2));
        if (pct) {
                if (scope.p)
                        return -EINVAL; /* two scopes */
                scope = (struct span){pct + 1, strlen(pct + 1)};
        }
        r = parse_port(port, &a->u.in6.sin6_port);
        if (r < 0)
                return r;
        if (scope.p) {
                r = parse_scope(scope, &scope_id);
                if (r < 0)
                        return r;
        }
        a->u.in6.sin6_family = AF_INET6;
        a->u.in6.sin6_scope_id = scope_id;
        a->size = sizeof(struct sockaddr_in6);
        return 0;
}

/* "v.w.x.y:z": strict dotted quad, no host names. A scope is refused: IPv4 cannot carry it. */
static int parse_in(const char *s, const char *colon, struct addr *a)
{
        char buf[INET_ADDRSTRLEN];
        int r;

        if (span_copy(span_until(s, colon), buf, sizeof(buf)) < 0 ||
            inet_pton(AF_INET, buf, &a->u.in.sin_addr) != 1)
                return -EINVAL;
        r = parse_port((struct span){colon + 1, strlen(colon + 1)}, &a->u.in.sin_port);
        if (r < 0)
                return r;
        a->u.in.sin_family = AF_INET;
        a->size = sizeof(struct sockaddr_in);
        return 0;
}

/* Asked each time, never cached, so tests in other namespaces see their own answer. */
static bool ipv6_supported(void)
{
        int fd;

        if (access("/proc/net/if_inet6", F_OK) == 0)
                return true;
        fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return false;
        safe_close(fd);
        return true;
}

/* A port alone: every address, IPv6 when the kernel has it (dual-stack per BindIPv6Only=). */
static int parse_any(const char *s, struct addr *a)
{
        in_port_t port;
        int r = parse_port((struct span){s, strlen(s)}, &port);

        if (r < 0)
                return r;
        if (ipv6_supported()) {
                a->u.in6.sin6_family = AF_INET6;
                a->u.in6.sin6_addr = in6addr_any;
                a->u.in6.sin6_port = port;
                a->size = sizeof(struct sockaddr_in6);
        } else {
                a->u.in.sin_family = AF_INET;
                a->u.in.sin_addr.s_addr = htonl(INADDR_ANY);
                a->u.in.sin_port = port;
                a->size = sizeof(struct sockaddr_in);
        }
        return 0;
}

/*
 * Same forms and order as systemd: unix, vsock, IP. Differences, all deliberate: port 0 is
 * accepted; a number never has spaces or a sign; "%dev" after an IPv4 address is refused rather
 * than ignored; "[x%dev]:y" is read too.
 */
int addr_parse(const char *s, struct addr *ret)
{
        struct addr a;
        const char *colon;
        int r;

        if (!s || !ret)
                return -EINVAL;
        memset(&a, 0, sizeof(a));
        if (s[0] == '/' || s[0] == '@')
                r = parse_unix(s, &a);
        else if (startswith(s, "vsock:"))
                r = parse_vsock(s + strlen("vsock:"), &a);
        else if (s[0] == '[')
                r = parse_in6(s, &a);
        else if ((colon = strchr(s, ':')))
                r = parse_in(s, colon, &a);
        else
                r = parse_any(s, &a);
        if (r < 0)
                return r;
        memcpy(ret, &a, sizeof(a));
        return 0;
}

/* Room for the longest text; every formatter appends to one of these. */
struct text {
        char s[ADDR_FORMAT_MAX];
        size_t n;
};

static void text_add(struct text *t, const char *s)
{
        size_t l = strlen(s);

        if (l >= sizeof(t->s) - t->n)
                l = sizeof(t->s) - t->n - 1; /* unreachable by the static assert above */
        memcpy(t->s + t->n, s, l);
        t->n += l;
        t->s[t->n] = 0;
}

static void text_addf(struct text *t, const char *fmt, ...) _printf_(2, 3);
static void text_addf(struct text *t, const char *fmt, ...)
{
        char buf[32];
        va_list ap;

        va_start(ap, fmt);
        (void)vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        text_add(t, buf);
}

/* Unambiguous and safe on a terminal: '\\' and bytes outside printable ASCII as escapes. */
static void text_add_escaped(struct text *t, const unsigned char *p, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                char buf[5] = {(char)p[i], 0};

                if (p[i] == '\\')
                        strcpy(buf, "\\\\");
                else if (p[i] < ' ' || p[i] >= 127)
                        (void)snprintf(buf, sizeof(buf), "\\x%02x", p[i]);
                text_add(t, buf);
        }
}

static int format_in(const struct sockaddr_in *in, socklen_t size, struct text *t)
{
        char host[INET_ADDRSTRLEN];

        if (size < sizeof(*in) || !inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host)))
                return -EINVAL;
        text_add(t, host);
        text_addf(t, ":%u", ntohs(in->sin_port));
        return 0;
}

/* The scope as a number: it reads back in any network namespace, where a name may not. */
static int format_in6(const struct sockaddr_in6 *in6, socklen_t size, struct text *t)
{
        char host[INET6_ADDRSTRLEN];

        if (size < sizeof(*in6) || !inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host)))
                return -EINVAL;
        text_add(t, "[");
        text_add(t, host);
        text_addf(t, "]:%u", ntohs(in6->sin6_port));
        if (in6->sin6_scope_id != 0)
                text_addf(t, "%%%u", in6->sin6_scope_id);
        return 0;
}

/*
 * Linux may hand back a full sun_path with no NUL and size one past the struct, so the bytes are
 * read through a plain pointer, within size. An empty abstract name counts as unnamed (systemd).
 */
static int format_un(const struct sockaddr *sa, socklen_t size, struct text *t)
{
        const unsigned char *path = (const unsigned char *)sa + SUN_PATH_OFFSET;
        size_t n;

        if (size > sizeof(struct sockaddr_un) + 1)
                return -EINVAL;
        n = size - SUN_PATH_OFFSET;
        if (n == 0 || (n == 1 && path[0] == 0)) {
                text_add(t, "<unnamed>");
                return 0;
        }
        if (path[0] == 0) {
                text_add(t, "@");
                text_add_escaped(t, path + 1, n - 1);
                return 0;
        }
        text_add_escaped(t, path, strnlen((const char *)path, n));
        return 0;
}

static int format_vm(const struct sockaddr_vm *vm, socklen_t size, struct text *t)
{
        if (size < sizeof(*vm))
                return -EINVAL;
        if (vm->svm_cid == VMADDR_CID_ANY)
                text_addf(t, "vsock::%u", vm->svm_port);
        else
                text_addf(t, "vsock:%u:%u", vm->svm_cid, vm->svm_port);
        return 0;
}

static int format_any(const struct sockaddr *sa, socklen_t size, struct text *t)
{
        switch (sa->sa_family) {
        case AF_INET:
                return format_in((const struct sockaddr_in *)sa, size, t);
        case AF_INET6:
                return format_in6((const struct sockaddr_in6 *)sa, size, t);
        case AF_UNIX:
                return format_un(sa, size, t);
        case AF_VSOCK:
                return format_vm((const struct sockaddr_vm *)sa, size, t);
        default:
                return -EAFNOSUPPORT;
        }
}

/*
 * Inverse of addr_parse(). -EINVAL when size is too small for the family, -EAFNOSUPPORT for
 * other families, -ENOSPC (buf untouched) when the text and its NUL do not fit in bufsize.
 */
int addr_format(const struct sockaddr *sa, socklen_t size, char *buf, size_t bufsize)
{
        struct text t = {.n = 0};
        int r;

        if (!sa || size < sizeof(sa_family_t))
                return -EINVAL;
        r = format_any(sa, size, &t);
        if (r < 0)
                return r;
        if (!buf || t.n + 1 > bufsize)
                return -ENOSPC;
        memcpy(buf, t.s, t.n + 1);
        return 0;
}

/* NULL unless a names a file system socket; the NUL is looked for within the union. */
const char *addr_unix_path(const struct addr *a)
{
        const char *path;

        if (!a || addr_family(a) != AF_UNIX || a->size <= SUN_PATH_OFFSET)
                return NULL;
        path = (const char *)&a->u + SUN_PATH_OFFSET;
        if (path[0] == 0 || !memchr(path, 0, sizeof(a->u) - SUN_PATH_OFFSET))
                return NULL;
        return path;
}
