/* SPDX-License-Identifier: MIT */
/* EnvironmentFile= parsing: one table of texts with the assignments they give
 * (or the error and its line), following systemd's env-file rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>

#include "common/util.h"
#include "injector/envfile.h"

struct collected {
        char text[1024]; /* "K=V|K=V|" */
};

static int collect(void *userdata, const char *key, const char *value)
{
        struct collected *c = userdata;
        size_t n = strlen(c->text);

        snprintf(c->text + n, sizeof(c->text) - n, "%s=%s|", key, value);
        return 0;
}

struct row {
        const char *what, *text;
        const char *want; /* the assignments, or NULL for an error */
        unsigned line;    /* the error's line */
        const char *message;
};

static const struct row rows[] = {
        {"plain", "A=1\nB=two\n", "A=1|B=two|", 0, NULL},
        {"no final newline", "A=1", "A=1|", 0, NULL},
        {"blanks around key and value", "  A = x y  \n", "A=x y|", 0, NULL},
        {"comments and blank lines", "# c\n; c\n\nA=1\n  # indented\n", "A=1|", 0, NULL},
        {"a line without = is ignored", "junk\nA=1\n", "A=1|", 0, NULL},
        {"empty value", "A=\nB=\n", "A=|B=|", 0, NULL},
        {"empty value at the end", "A=", "A=|", 0, NULL},
        {"single quotes keep everything", "A='x \\n \"y\" $z'\n", "A=x \\n \"y\" $z|", 0, NULL},
        {"single quotes span lines", "A='x\ny'\nB=1\n", "A=x\ny|B=1|", 0, NULL},
        {"double quotes and their escapes", "A=\"a \\\"b\\\" \\\\ \\$c \\`d\\` \\e\"\n",
         "A=a \"b\" \\ $c `d` \\e|", 0, NULL},
        {"double quotes span lines, backslash-newline goes", "A=\"x\ny\\\nz\"\n", "A=x\nyz|", 0,
         NULL},
        {"unquoted escapes", "A=a\\ b\\\\c\\#\n", "A=a b\\c#|", 0, NULL},
        {"unquoted continuation", "A=one \\\n  two\n", "A=one   two|", 0, NULL},
        {"quotes after the start are kept", "A=x'y'\"z\"\n", "A=x'y'\"z\"|", 0, NULL},
        {"quoted parts join", "A='x'\"y\"z\n", "A=xyz|", 0, NULL},
        {"later assignment kept in order", "A=1\nA=2\n", "A=1|A=2|", 0, NULL},
        {"CRLF line ends", "A=1\r\nB=2\r\n", "A=1|B=2|", 0, NULL},
        {"a comment's trailing backslash does not continue it", "# c \\\nA=1\n", "A=1|", 0, NULL},
        {"UTF-8 values", "A=h\xc3\xa9llo\n", "A=h\xc3\xa9llo|", 0, NULL},
        {"invalid name", "A=1\n1X=2\n", NULL, 2, "invalid variable name '1X'"},
        {"name with a dash", "\nMY-VAR=1\n", NULL, 2, "invalid variable name 'MY-VAR'"},
        {"unterminated single quote", "A=1\nB='x\ny\n", NULL, 2, "unterminated single quote"},
        {"unterminated double quote", "A=\"x\\\"\n", NULL, 1, "unterminated double quote"},
        {"invalid UTF-8", "A=1\nB=\xff\n", NULL, 2, "invalid UTF-8"},
        {"overlong UTF-8", "A=\xc0\xaf\n", NULL, 1, "invalid UTF-8"},
};

static void test_environment_files_parse_as_systemd_does(void **state)
{
        size_t failed = 0;

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                struct collected c = {{0}};
                struct envfile_error err;
                int r = envfile_parse(rows[i].text, strlen(rows[i].text), collect, &c, &err);
                bool ok = rows[i].want ? r == 0 && streq(c.text, rows[i].want)
                                       : r == -EINVAL && err.line == rows[i].line &&
                                                 streq(err.message, rows[i].message);

                if (!ok) {
                        print_error("%s: r=%d, got '%s', line %u '%s'\n", rows[i].what, r, c.text,
                                    err.line, err.message);
                        failed++;
                }
        }
        assert_int_equal(failed, 0);
}

static void test_nul_bytes_are_refused(void **state)
{
        static const char text[] = "A=1\nB=x\0y\n";
        struct collected c = {{0}};
        struct envfile_error err;

        (void)state;
        assert_int_equal(envfile_parse(text, sizeof(text) - 1, collect, &c, &err), -EINVAL);
        assert_int_equal(err.line, 2);
        assert_string_equal(err.message, "NUL byte");
}

static int refuse(void *userdata, const char *key, const char *value)
{
        (void)userdata;
        (void)key;
        (void)value;
        return -ENOMEM;
}

static void test_push_errors_stop_the_parse(void **state)
{
        struct envfile_error err;

        (void)state;
        assert_int_equal(envfile_parse("A=1\n", 4, refuse, NULL, &err), -ENOMEM);
}

static void test_loading_files(void **state)
{
        char path[] = "/tmp/sockjail-envfile-XXXXXX";
        struct collected c = {{0}};
        struct envfile_error err;
        int fd = mkstemp(path);

        (void)state;
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "K=v\n", 4), 4);
        close(fd);
        assert_int_equal(envfile_load(path, collect, &c, &err), 0);
        assert_string_equal(c.text, "K=v|");
        unlink(path);
        assert_int_equal(envfile_load(path, collect, &c, &err), -ENOENT);
        assert_string_equal(err.message, "No such file or directory");
        assert_int_equal(envfile_load("/tmp", collect, &c, &err), -EINVAL);
        assert_int_equal(err.line, 0);
        assert_string_equal(err.message, "not a regular file");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_environment_files_parse_as_systemd_does),
                cmocka_unit_test(test_nul_bytes_are_refused),
                cmocka_unit_test(test_push_errors_stop_the_parse),
                cmocka_unit_test(test_loading_files),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
