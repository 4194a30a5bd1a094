/* SPDX-License-Identifier: MIT */
/*
 * ns: the values of the file-system keys, in systemd.exec(5)'s syntax: the
 * names of protect_system, protect_home and protect_proc, what a valid path
 * is, bind and temporary_file_system entries. The spec parser calls these and
 * words the errors; ns_setup() relies on what they accepted.
 */
#include "ns/ns.h"

#include <limits.h>

#include "common/strv.h"
#include "common/util.h"

void ns_config_done(struct ns_config *c)
{
        strv_free(c->read_only_paths);
        strv_free(c->read_write_paths);
        strv_free(c->inaccessible_paths);
        for (size_t i = 0; i < c->n_binds; i++)
                ns_bind_done(&c->binds[i]);
        free(c->binds);
        for (size_t i = 0; i < c->n_tmpfs; i++)
                ns_tmpfs_done(&c->tmpfs[i]);
        free(c->tmpfs);
        free(c->hostname);
        free(c->root_directory);
        free(c->working_directory);
        c->read_only_paths = c->read_write_paths = c->inaccessible_paths = NULL;
        c->binds = NULL;
        c->tmpfs = NULL;
        c->n_binds = c->n_tmpfs = 0;
        c->hostname = c->root_directory = c->working_directory = NULL;
}

static bool strv_isempty(char *const *v)
{
        return !v || !v[0];
}

bool ns_wants_mount_ns(const struct ns_config *c)
{
        return c->private_mounts || c->private_tmp || c->private_devices ||
               c->protect_system != NS_PROTECT_SYSTEM_NO || c->protect_home != NS_PROTECT_HOME_NO ||
               c->protect_proc != NS_PROTECT_PROC_DEFAULT || c->protect_kernel_tunables ||
               c->protect_kernel_modules || c->protect_kernel_logs || c->protect_control_groups ||
               !strv_isempty(c->read_only_paths) || !strv_isempty(c->read_write_paths) ||
               !strv_isempty(c->inaccessible_paths) || c->n_binds > 0 || c->n_tmpfs > 0 ||
               c->root_directory;
}

static const char *const protect_system_names[_NS_PROTECT_SYSTEM_MAX] = {
        [NS_PROTECT_SYSTEM_NO] = "no",
        [NS_PROTECT_SYSTEM_YES] = "yes",
        [NS_PROTECT_SYSTEM_FULL] = "full",
        [NS_PROTECT_SYSTEM_STRICT] = "strict",
};

static const char *const protect_home_names[_NS_PROTECT_HOME_MAX] = {
        [NS_PROTECT_HOME_NO] = "no",
        [NS_PROTECT_HOME_YES] = "yes",
        [NS_PROTECT_HOME_READ_ONLY] = "read-only",
        [NS_PROTECT_HOME_TMPFS] = "tmpfs",
};

static const char *const protect_proc_names[_NS_PROTECT_PROC_MAX] = {
        [NS_PROTECT_PROC_DEFAULT] = "default",
        [NS_PROTECT_PROC_NOACCESS] = "noaccess",
        [NS_PROTECT_PROC_INVISIBLE] = "invisible",
        [NS_PROTECT_PROC_PTRACEABLE] = "ptraceable",
};

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
        return v < n ? names[v] : NULL;
}

/* Only the words that are not booleans: "yes"/"no" are the spec's to read. */
static int from_name(const char *const *names, size_t n, size_t first, const char *s)
{
        for (size_t i = first; i < n; i++)
                if (streq(s, names[i]))
                        return (int)i;
        return -EINVAL;
}

const char *ns_protect_system_name(enum ns_protect_system v)
{
        return name_of(protect_system_names, ELEMENTSOF(protect_system_names), v);
}

const char *ns_protect_home_name(enum ns_protect_home v)
{
        return name_of(protect_home_names, ELEMENTSOF(protect_home_names), v);
}

const char *ns_protect_proc_name(enum ns_protect_proc v)
{
        return name_of(protect_proc_names, ELEMENTSOF(protect_proc_names), v);
}

int ns_protect_system_from_name(const char *s)
{
        return from_name(protect_system_names, ELEMENTSOF(protect_system_names),
                         NS_PROTECT_SYSTEM_FULL, s);
}

int ns_protect_home_from_name(const char *s)
{
        return from_name(protect_home_names, ELEMENTSOF(protect_home_names),
                         NS_PROTECT_HOME_READ_ONLY, s);
}

int ns_protect_proc_from_name(const char *s)
{
        return from_name(protect_proc_names, ELEMENTSOF(protect_proc_names), 0, s);
}

bool ns_path_valid(const char *path)
{
        const char *p = path;

        if (p[0] != '/' || strlen(p) >= PATH_MAX)
                return false;
        while ((p = strstr(p, "..")) != NULL) {
                if (p[-1] == '/' && (p[2] == '/' || p[2] == '\0'))
                        return false;
                p += 2;
        }
        return true;
}

bool ns_access_path_valid(const char *entry)
{
        if (entry[0] == '-')
                entry++;
        if (entry[0] == '+')
                entry++;
        return ns_path_valid(entry);
}

/* The next ':'-separated field of *p, with "\\:" read as ':'; NULL at the end. */
static char *next_field(const char **p)
{
        const char *s = *p;
        size_t n = 0;
        char *out;

        if (!s)
                return NULL;
        out = malloc(strlen(s) + 1);
        if (!out)
                return NULL;
        for (; *s && *s != ':'; s++) {
                if (s[0] == '\\' && s[1] == ':')
                        s++;
                out[n++] = *s;
        }
        out[n] = '\0';
        *p = *s == ':' ? s + 1 : NULL;
        return out;
}

void ns_bind_done(struct ns_bind *b)
{
        free(b->source);
        free(b->destination);
        *b = (struct ns_bind){0};
}

static int bind_options(const char *opts, struct ns_bind *b)
{
        if (!opts || opts[0] == '\0' || streq(opts, "rbind"))
                b->recursive = true;
        else if (streq(opts, "norbind"))
                b->recursive = false;
        else
                return -EINVAL;
        return 0;
}

int ns_bind_parse(const char *text, bool read_only, struct ns_bind *ret)
{
        struct ns_bind b = {.read_only = read_only, .recursive = true};
        _cleanup_free_ char *src = NULL, *opts = NULL;
        const char *p = text + (text[0] == '-');
        bool has_opts;
        int r = -EINVAL;

        b.ignore_missing = text[0] == '-';
        src = next_field(&p);
        if (!src)
                return -ENOMEM;
        b.destination = p ? next_field(&p) : strdup(src);
        has_opts = p != NULL;
        opts = has_opts ? next_field(&p) : NULL;
        if (!b.destination || (has_opts && !opts))
                r = -ENOMEM;
        else if (!p && ns_path_valid(src) && ns_path_valid(b.destination) &&
                 bind_options(opts, &b) == 0)
                r = 0;
        if (r < 0) {
                ns_bind_done(&b);
                return r;
        }
        b.source = TAKE_PTR(src);
        *ret = b;
        return 0;
}

void ns_tmpfs_done(struct ns_tmpfs *t)
{
        free(t->path);
        free(t->options);
        *t = (struct ns_tmpfs){0};
}

int ns_tmpfs_parse(const char *text, struct ns_tmpfs *ret)
{
        const char *colon = strchr(text, ':');
        struct ns_tmpfs t = {0};

        t.path = colon ? strndup(text, (size_t)(colon - text)) : strdup(text);
        if (!t.path)
                return -ENOMEM;
        if (colon && colon[1] != '\0' && !(t.options = strdup(colon + 1))) {
                ns_tmpfs_done(&t);
                return -ENOMEM;
        }
        if (!ns_path_valid(t.path)) {
                ns_tmpfs_done(&t);
                return -EINVAL;
        }
        *ret = t;
        return 0;
}

bool ns_hostname_valid(const char *name)
{
        size_t n = strlen(name);

        if (n == 0 || n > 64 || strchr("-.", name[0]) || strchr("-.", name[n - 1]))
                return false;
        for (size_t i = 0; i < n; i++) {
                char ch = name[i];

                if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '-' || ch == '.'))
                        return false;
                if (ch == '.' && name[i + 1] == '.')
                        return false;
        }
        return true;
}
