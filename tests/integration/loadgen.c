/* SPDX-License-Identifier: MIT */
/*
 * loadgen: a steady client load for the lifecycle tests, and the tiny service
 * it talks to.
 *
 *   loadgen run HOST:PORT --clients N --seconds S [--stop-file PATH]
 *   loadgen serve
 *
 * run: N client processes, each one request after the other for S seconds (or
 * until PATH exists): connect, send "ping\n", read the answer "pong\n" to EOF.
 * A connection the service accepted but could not answer (it was killed with
 * the request in hand: a reset or an empty answer) is tried again, at most 5
 * times. Prints one line:
 *   requests=R answered=A refused=F retried=T failed=E
 * refused counts ECONNREFUSED (nobody listening: what socket activation must
 * never let happen); failed counts requests given up on. Exit 0 when
 * refused and failed are 0, else 1; 2 for a usage error.
 *
 * serve: the service: accept on fd 3 (LISTEN_FDS=1), read a line, write
 * "pong\n", close; for ever.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 64
#define MAX_TRIES 5
#define IO_TIMEOUT_SEC 10

struct counts {
        long requests, answered, refused, retried, failed;
};

enum outcome { OK, REFUSED, LOST };

static int serve(void)
{
        const char *n = getenv("LISTEN_FDS");
        char buf[256];

        if (!n || strcmp(n, "1") != 0) {
                fprintf(stderr, "loadgen serve: needs LISTEN_FDS=1\n");
                return 1;
        }
        for (;;) {
                int c = accept4(3, NULL, NULL, SOCK_CLOEXEC);

                if (c < 0) {
                        if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN)
                                continue;
                        return 1;
                }
                if (read(c, buf, sizeof(buf)) > 0 && write(c, "pong\n", 5) != 5)
                        fprintf(stderr, "loadgen serve: write: %s\n", strerror(errno));
                close(c);
        }
}

/* One try: OK with "pong" read, REFUSED on ECONNREFUSED, LOST otherwise. */
static enum outcome request(const struct sockaddr_in *sa)
{
        struct timeval tv = {.tv_sec = IO_TIMEOUT_SEC};
        char buf[16];
        size_t got = 0;
        ssize_t k;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        enum outcome o = LOST;

        if (fd < 0)
                return LOST;
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
                o = errno == ECONNREFUSED ? REFUSED : LOST;
                close(fd);
                return o;
        }
        if (write(fd, "ping\n", 5) == 5) {
                while (got < sizeof(buf) && (k = read(fd, buf + got, sizeof(buf) - got)) > 0)
                        got += (size_t)k;
                if (got == 5 && memcmp(buf, "pong\n", 5) == 0)
                        o = OK;
        }
        close(fd);
        return o;
}

static void client(const struct sockaddr_in *sa, double seconds, const char *stop_file, int out)
{
        struct counts c = {0};
        struct timespec start, now;
        struct stat st;

        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
                clock_gettime(CLOCK_MONOTONIC, &now);
                if ((double)(now.tv_sec - start.tv_sec) +
                            (double)(now.tv_nsec - start.tv_nsec) / 1e9 >=
                    seconds)
                        break;
                if (stop_file && stat(stop_file, &st) == 0)
                        break;
                c.requests++;
                for (int t = 0;; t++) {
                        enum outcome o = request(sa);

                        if (o == OK) {
                                c.answered++;
                                break;
                        }
                        if (o == REFUSED)
                                c.refused++;
                        if (t + 1 == MAX_TRIES) {
                                c.failed++;
                                break;
                        }
                        c.retried++;
                }
        }
        if (write(out, &c, sizeof(c)) != sizeof(c))
                _exit(1);
        _exit(0);
}

static int parse_addr(const char *s, struct sockaddr_in *sa)
{
        char host[64];
        const char *colon = strrchr(s, ':');

        if (!colon || (size_t)(colon - s) >= sizeof(host))
                return -1;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
        *sa = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(atoi(colon + 1))};
        return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static int run(int argc, char **argv)
{
        struct sockaddr_in sa;
        struct counts sum = {0};
        const char *stop_file = NULL;
        double seconds = 0;
        int clients = 0, pipefd[2];

        if (argc < 3 || parse_addr(argv[2], &sa) < 0)
                return 2;
        for (int i = 3; i + 1 < argc; i += 2) {
                if (strcmp(argv[i], "--clients") == 0)
                        clients = atoi(argv[i + 1]);
                else if (strcmp(argv[i], "--seconds") == 0)
                        seconds = atof(argv[i + 1]);
                else if (strcmp(argv[i], "--stop-file") == 0)
                        stop_file = argv[i + 1];
                else
                        return 2;
        }
        if (clients < 1 || clients > MAX_CLIENTS || seconds <= 0 || seconds > 600 ||
            pipe(pipefd) < 0)
                return 2;
        for (int i = 0; i < clients; i++) {
                pid_t pid = fork();

                if (pid == 0) {
                        close(pipefd[0]);
                        client(&sa, seconds, stop_file, pipefd[1]);
                }
                if (pid < 0)
                        return 1;
        }
        close(pipefd[1]);
        for (int i = 0; i < clients; i++) {
                struct counts c;

                if (read(pipefd[0], &c, sizeof(c)) != sizeof(c))
                        sum.failed++;
                sum.requests += c.requests;
                sum.answered += c.answered;
                sum.refused += c.refused;
                sum.retried += c.retried;
                sum.failed += c.failed;
        }
        while (wait(NULL) > 0)
                ;
        printf("requests=%ld answered=%ld refused=%ld retried=%ld failed=%ld\n", sum.requests,
               sum.answered, sum.refused, sum.retried, sum.failed);
        return sum.refused == 0 && sum.failed == 0 && sum.answered == sum.requests ? 0 : 1;
}

int main(int argc, char **argv)
{
        signal(SIGPIPE, SIG_IGN);
        if (argc == 2 && strcmp(argv[1], "serve") == 0)
                return serve();
        if (argc >= 3 && strcmp(argv[1], "run") == 0) {
                int r = run(argc, argv);

                if (r == 2)
                        fprintf(stderr, "usage: loadgen run HOST:PORT --clients N --seconds S "
                                        "[--stop-file PATH]\n       loadgen serve\n");
                return r;
        }
        fprintf(stderr, "usage: loadgen run HOST:PORT --clients N --seconds S [--stop-file "
                        "PATH]\n       loadgen serve\n");
        return 2;
}
