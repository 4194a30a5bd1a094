/* SPDX-License-Identifier: MIT */
/* Finding policy profiles: the search order is in profile.h. */
#include "injector/profile.h"

#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>

#include "common/util.h"

#define PROFILE_NAME_MAX 64
#define PROFILE_DIRS_MAX 8

/* A name, never a path: nothing in it can leave the profile directory. */
static bool name_valid(const char *name)
{
        size_t n = strlen(name);

        if (n == 0 || n > PROFILE_NAME_MAX || name[0] == '-')
                return false;
        for (const char *p = name; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
                        return false;
        return true;
}

/* The directory the running binary is in, or "" when /proc cannot say. */
static void binary_dir(char *buf, size_t size)
{
        ssize_t n = readlink("/proc/self/exe", buf, size - 1);
        char *slash;

        buf[n > 0 ? n : 0] = '\0';
        slash = strrchr(buf, '/');
        if (n <= 0 || !slash || (size_t)n >= size - 1)
                buf[0] = '\0';
        else
                *slash = '\0';
}

/* The search directories in order, in one buffer; returns how many. */
static size_t search_dirs(char (*dirs)[PATH_MAX], size_t max)
{
        const char *env = getenv(PROFILE_PATH_ENV);
        char bin[PATH_MAX];
        size_t n = 0;

        for (const char *p = env; p && *p && n < max;) {
                size_t len = strcspn(p, ":");

                if (len > 0 && len < PATH_MAX)
                        snprintf(dirs[n++], PATH_MAX, "%.*s", (int)len, p);
                p += len + (p[len] == ':');
        }
        binary_dir(bin, sizeof(bin));
        if (bin[0] && n + 2 <= max) {
                snprintf(dirs[n++], PATH_MAX, "%.*s/../share/sockjail/profiles", PATH_MAX - 40,
                         bin);
                snprintf(dirs[n++], PATH_MAX, "%.*s/../policy/profiles", PATH_MAX - 40, bin);
        }
        return n;
}

int profile_find(const char *name, char **ret_path)
{
        char dirs[PROFILE_DIRS_MAX][PATH_MAX], path[PATH_MAX + PROFILE_NAME_MAX + 8];
        size_t n;
        struct stat st;

        *ret_path = NULL;
        if (!name_valid(name))
                return -EINVAL;
        n = search_dirs(dirs, PROFILE_DIRS_MAX);
        for (size_t i = 0; i < n; i++) {
                snprintf(path, sizeof(path), "%s/%s.yaml", dirs[i], name);
                if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                        *ret_path = realpath(path, NULL) ?: strdup(path);
                        return *ret_path ? 0 : -ENOMEM;
                }
        }
        return -ENOENT;
}

static int name_cmp(const void *a, const void *b)
{
        return strcmp((const char *)a, (const char *)b);
}

/* Add the NAME of every NAME.yaml in dir to names, once. */
static size_t add_names(const char *dir, char (*names)[PROFILE_NAME_MAX + 1], size_t n, size_t max)
{
        DIR *d = opendir(dir);
        struct dirent *e;

        while (d && (e = readdir(d)) && n < max) {
                size_t len = strlen(e->d_name);
                bool seen = false;

                if (len <= 5 || !streq(e->d_name + len - 5, ".yaml"))
                        continue;
                e->d_name[len - 5] = '\0';
                for (size_t i = 0; i < n && !seen; i++)
                        seen = streq(names[i], e->d_name);
                if (!seen && name_valid(e->d_name)) /* at most PROFILE_NAME_MAX */
                        snprintf(names[n++], PROFILE_NAME_MAX + 1, "%.*s", PROFILE_NAME_MAX,
                                 e->d_name);
        }
        if (d)
                closedir(d);
        return n;
}

void profile_names(char *buf, size_t size)
{
        char dirs[PROFILE_DIRS_MAX][PATH_MAX], names[64][PROFILE_NAME_MAX + 1];
        size_t n_dirs = search_dirs(dirs, PROFILE_DIRS_MAX), n = 0, used = 0;

        for (size_t i = 0; i < n_dirs; i++)
                n = add_names(dirs[i], names, n, ELEMENTSOF(names));
        qsort(names, n, sizeof(names[0]), name_cmp);
        buf[0] = '\0';
        for (size_t i = 0; i < n && used < size; i++)
                used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);
}
