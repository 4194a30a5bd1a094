/* sjbench: timing helper for bench/run.sh (built by run.sh, not the Makefile).
 *
 *   sjbench port
 *       print a free TCP port on 127.0.0.1
 *   sjbench connect PORT TIMEOUT_MS -- CMD ARGS...
 *       start CMD, print the microseconds until a connect() to 127.0.0.1:PORT
 *       succeeds, then stop CMD by its pid
 *   sjbench http PORT TIMEOUT_MS -- CMD ARGS...
 *       the same, until curl gets an HTTP 200 from http://127.0.0.1:PORT/
 *       (curl run in a loop)
 *
 * CMD runs in its own process group. It is stopped with SIGTERM, then
 * SIGKILL after 3 s, always by its pid (and its group), and reaped. Every
 * wait is bounded by TIMEOUT_MS; on a timeout it prints "fail" and exits 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

static int try_connect(int port)
{
	struct sockaddr_in sa = loopback(port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	return ok;
}

/* Runs curl once (bounded by its own --max-time); 1 when it saw a 200. */
static int try_http(int port, pid_t child)
{
	char url[64], out[16] = "";
	int p[2];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
	if (pipe2(p, O_CLOEXEC) < 0)
		return 0;
	pid_t c = fork();
	if (c == 0) {
		dup2(p[1], 1);
		int dn = open("/dev/null", O_WRONLY);
		if (dn >= 0)
			dup2(dn, 2);
		execlp("curl", "curl", "-s", "-o", "/dev/null", "--max-time", "2",
		       "-w", "%{http_code}", url, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (c < 0) {
		close(p[0]);
		return 0;
	}
	ssize_t n = read(p[0], out, sizeof out - 1);
	close(p[0]);
	if (n > 0)
		out[n] = 0;
	int st;
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	(void)child;
	return strcmp(out, "200") == 0;
}

static void stop(pid_t pid)
{
	int st;
	kill(pid, SIGTERM);
	for (int i = 0; i < 3000; i++) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			goto group;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
group:
	/* Anything the command left in its process group (pgid == its pid). */
	kill(-pid, SIGKILL);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "port") == 0) {
		struct sockaddr_in sa = loopback(0);
		socklen_t len = sizeof sa;
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
		    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
			perror("sjbench port");
			return 1;
		}
		printf("%d\n", ntohs(sa.sin_port));
		close(fd);
		return 0;
	}
	if (argc < 6 || strcmp(argv[4], "--") != 0 ||
	    (strcmp(argv[1], "connect") != 0 && strcmp(argv[1], "http") != 0)) {
		fprintf(stderr, "usage: sjbench port | sjbench connect|http PORT "
				"TIMEOUT_MS -- CMD ARGS...\n");
		return 2;
	}
	int http = strcmp(argv[1], "http") == 0;
	int port = atoi(argv[2]);
	long long timeout = atoll(argv[3]) * 1000;

	long long t0 = now_us();
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		execvp(argv[5], argv + 5);
		perror(argv[5]);
		_exit(127);
	}
	setpgid(pid, pid);
	long long t = -1;
	while (now_us() - t0 < timeout) {
		if (http ? try_http(port, pid) : try_connect(port)) {
			t = now_us() - t0;
			break;
		}
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) { /* died before serving */
			kill(-pid, SIGKILL);
			printf("fail\n");
			return 1;
		}
		usleep(http ? 1000 : 100);
	}
	stop(pid);
	if (t < 0) {
		printf("fail\n");
		return 1;
	}
	printf("%lld\n", t);
	return 0;
}
