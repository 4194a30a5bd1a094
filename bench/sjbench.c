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
 *   sjbench ready FD PATTERN TIMEOUT_MS -- CMD ARGS...
 *       start CMD with a pipe as its fd FD, print the microseconds until a
 *       line containing PATTERN comes out of it, then stop CMD
 *   sjbench connrate PORT SECONDS NCLIENTS
 *       NCLIENTS processes each connect to 127.0.0.1:PORT, send a line, read
 *       until EOF, check the echo and close, over and over for SECONDS;
 *       print the connections per second (failures go to stderr)
 *   sjbench hold PORT N TIMEOUT_S PID EXE
 *       one connection first (echoed and closed: an on-demand sandbox is up);
 *       note PID's VmRSS (kB) and that of PID and all its descendants but
 *       those running EXE; open N connections to 127.0.0.1:PORT (at most 256
 *       in flight), send "x\n" on each and wait for its echo; note both again
 *       and print "IDLE_KB LOADED_KB ECHOED MS TREE_IDLE_KB TREE_LOADED_KB";
 *       then close them all
 *   sjbench settle TIMEOUT_MS
 *       wait until the CPUs are idle (under 10 % busy in two 250 ms windows
 *       in a row: a namespace-heavy run leaves the kernel cleaning up for
 *       seconds); print the milliseconds waited
 *   sjbench waitgone EXE TIMEOUT_MS
 *       wait until no process runs the program EXE (an absolute path); print
 *       how many are left
 *
 * For connect, http and ready, CMD runs in its own process group. It is
 * stopped with SIGTERM, then SIGKILL after 3 s, always by its pid (and its
 * group), and reaped. Every wait is bounded by TIMEOUT_MS (or SECONDS,
 * TIMEOUT_S); on a timeout it prints "fail" and exits 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <limits.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
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

/* Starts CMD (argv, NULL-terminated) in its own process group, with
 * pipe_w (if >= 0) moved to fd pipe_fd. */
static pid_t spawn(char **cmd, int pipe_w, int pipe_fd)
{
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return -1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		if (pipe_w >= 0 && pipe_w != pipe_fd) {
			if (dup2(pipe_w, pipe_fd) < 0)
				_exit(127);
		} else if (pipe_w >= 0) {
			fcntl(pipe_w, F_SETFD, 0);
		}
		execvp(cmd[0], cmd);
		perror(cmd[0]);
		_exit(127);
	}
	setpgid(pid, pid);
	return pid;
}

/* sjbench connect|http PORT TIMEOUT_MS -- CMD... */
static int cmd_launch(int http, int port, long long timeout, char **cmd)
{
	long long t0 = now_us();
	pid_t pid = spawn(cmd, -1, -1);
	if (pid < 0)
		return 1;
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

/* sjbench ready FD PATTERN TIMEOUT_MS -- CMD... */
static int cmd_ready(int fd, const char *pattern, long long timeout, char **cmd)
{
	int p[2];
	if (fd < 0 || fd > 1000 || pipe2(p, O_CLOEXEC) < 0) {
		perror("sjbench ready");
		return 1;
	}
	long long t0 = now_us();
	pid_t pid = spawn(cmd, p[1], fd);
	close(p[1]);
	if (pid < 0)
		return 1;
	/* Lines can be long (sockjail's listening line names every socket):
	 * keep only the tail that may hold the start of PATTERN. */
	static char buf[1 << 16];
	size_t len = 0, plen = strlen(pattern);
	long long t = -1;
	while (t < 0) {
		long long left = timeout - (now_us() - t0);
		if (left <= 0)
			break;
		struct pollfd pf = {.fd = p[0], .events = POLLIN};
		int r = poll(&pf, 1, (int)(left / 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		ssize_t n = read(p[0], buf + len, sizeof buf - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* CMD closed its end: it died or will not say it */
		len += (size_t)n;
		buf[len] = 0;
		if (strstr(buf, pattern)) {
			t = now_us() - t0;
			break;
		}
		if (len > plen) { /* keep the last plen bytes */
			memmove(buf, buf + len - plen, plen);
			len = plen;
		}
	}
	close(p[0]);
	stop(pid);
	if (t < 0) {
		printf("fail\n");
		return 1;
	}
	printf("%lld\n", t);
	return 0;
}

/* One client of connrate: connections until the deadline; returns the number
 * that echoed, failures in *fails. */
static long one_client(int port, long long deadline, long *fails)
{
	static const char line[] = "ping\n";
	struct sockaddr_in sa = loopback(port);
	struct timeval tv = {.tv_sec = 2, .tv_usec = 0};
	long ok = 0;
	*fails = 0;
	while (now_us() < deadline) {
		char buf[64];
		size_t got = 0;
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			(*fails)++;
			usleep(1000);
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		int good = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
			   write(fd, line, sizeof line - 1) == (ssize_t)(sizeof line - 1);
		while (good) {
			ssize_t n = read(fd, buf + got, sizeof buf - got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				good = 0;
			if (n <= 0)
				break;
			got += (size_t)n;
			if (got == sizeof buf)
				good = 0;
		}
		close(fd);
		if (good && got == sizeof line - 1 && memcmp(buf, line, got) == 0) {
			ok++;
		} else {
			(*fails)++;
			usleep(1000); /* a refusing server: do not spin */
		}
	}
	return ok;
}

/* sjbench connrate PORT SECONDS NCLIENTS */
static int cmd_connrate(int port, double seconds, int nclients)
{
	if (port <= 0 || seconds <= 0 || seconds > 60 || nclients < 1 || nclients > 64) {
		fprintf(stderr, "sjbench connrate: bad arguments\n");
		return 2;
	}
	int p[2];
	if (pipe(p) < 0) {
		perror("pipe");
		return 1;
	}
	long long t0 = now_us();
	long long deadline = t0 + (long long)(seconds * 1e6);
	pid_t kids[64];
	int nk = 0;
	for (int i = 0; i < nclients; i++) {
		pid_t c = fork();
		if (c < 0) {
			perror("fork");
			break;
		}
		if (c == 0) {
			close(p[0]);
			long res[3];
			res[0] = one_client(port, deadline, &res[1]);
			res[2] = (long)(now_us() - t0); /* this client's end */
			ssize_t w = write(p[1], res, sizeof res);
			_exit(w == (ssize_t)sizeof res ? 0 : 1);
		}
		kids[nk++] = c;
	}
	close(p[1]);
	long ok = 0, fails = 0, end = 0, res[3];
	int got = 0;
	while (got < nk) {
		ssize_t n = read(p[0], res, sizeof res);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof res)
			break;
		ok += res[0];
		fails += res[1];
		if (res[2] > end)
			end = res[2];
		got++;
	}
	close(p[0]);
	for (int i = 0; i < nk; i++) {
		int st;
		while (waitpid(kids[i], &st, 0) < 0 && errno == EINTR)
			;
	}
	if (got < nk || nk < nclients || end <= 0 || ok == 0) {
		fprintf(stderr, "sjbench connrate: %ld ok, %ld failed\n", ok, fails);
		printf("fail\n");
		return 1;
	}
	if (fails)
		fprintf(stderr, "sjbench connrate: %ld connections failed\n", fails);
	printf("%.1f\n", (double)ok * 1e6 / (double)end);
	return 0;
}

static long vmrss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Raises RLIMIT_NOFILE to at least want (the hard limit too, when allowed and
 * below /proc/sys/fs/nr_open). 0 on success. */
static int raise_nofile(rlim_t want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	if (rl.rlim_cur >= want)
		return 0;
	if (rl.rlim_max < want) {
		rl.rlim_max = want;
		FILE *f = fopen("/proc/sys/fs/nr_open", "r");
		long nr = 0;
		if (f) {
			if (fscanf(f, "%ld", &nr) != 1)
				nr = 0;
			fclose(f);
		}
		if (nr > 0 && (rlim_t)nr < want)
			return -1;
	}
	rl.rlim_cur = want;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

enum { C_FREE, C_CONNECTING, C_WAITING, C_ECHOED };

static int is_exe(const char *pid, const char *exe)
{
	char path[300], target[PATH_MAX];
	snprintf(path, sizeof path, "/proc/%s/exe", pid);
	ssize_t n = readlink(path, target, sizeof target - 1);
	if (n <= 0)
		return 0;
	target[n] = 0;
	return strcmp(target, exe) == 0;
}

/* The VmRSS (kB) of root and its descendants, less those running exe. */
static long tree_rss_kb(pid_t root, const char *exe)
{
	static int ppid[4 * 1024 * 1024 + 1]; /* pid -> parent, 0: none */
	static char skip[4 * 1024 * 1024 + 1];
	int maxpid = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
	if (!d)
		return -1;
	memset(ppid, 0, sizeof ppid);
	while ((e = readdir(d))) {
		char path[300], line[512];
		int pid = atoi(e->d_name), pp = 0;
		if (pid <= 0 || pid > 4 * 1024 * 1024)
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		char *rp = fgets(line, sizeof line, f) ? strrchr(line, ')') : NULL;
		fclose(f);
		if (!rp || sscanf(rp, ") %*c %d", &pp) != 1)
			continue;
		ppid[pid] = pp;
		skip[pid] = (char)is_exe(e->d_name, exe);
		if (pid > maxpid)
			maxpid = pid;
	}
	closedir(d);
	long sum = 0;
	for (int pid = 1; pid <= maxpid; pid++) {
		if (!ppid[pid] && pid != root)
			continue;
		int a = pid, depth = 0;
		while (a > 0 && a != root && depth++ < 64)
			a = ppid[a];
		if (a == root && !skip[pid]) {
			long kb = vmrss_kb((pid_t)pid);
			if (kb > 0)
				sum += kb;
		}
	}
	return sum;
}

/* sjbench hold PORT N TIMEOUT_S PID EXE */
static int cmd_hold(int port, int n, int timeout_s, pid_t pid, const char *exe)
{
	if (port <= 0 || n < 1 || n > 100000 || timeout_s < 1 || timeout_s > 600) {
		fprintf(stderr, "sjbench hold: bad arguments\n");
		return 2;
	}
	if (raise_nofile((rlim_t)n + 64) < 0) {
		fprintf(stderr, "sjbench hold: cannot raise RLIMIT_NOFILE to %d\n", n + 64);
		printf("fail\n");
		return 1;
	}
	struct sockaddr_in sa = loopback(port);
	int w = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = {.tv_sec = 5, .tv_usec = 0};
	char wb[4];
	if (w < 0 || setsockopt(w, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
	    connect(w, (struct sockaddr *)&sa, sizeof sa) < 0 || write(w, "x\n", 2) != 2 ||
	    read(w, wb, sizeof wb) != 2) {
		fprintf(stderr, "sjbench hold: the first connection was not echoed\n");
		printf("fail\n");
		return 1;
	}
	close(w);
	usleep(300000);
	long idle = vmrss_kb(pid), tree_idle = tree_rss_kb(pid, exe);
	int *fds = calloc((size_t)n, sizeof *fds);
	unsigned char *state = calloc((size_t)n, 1);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (!fds || !state || ep < 0) {
		perror("sjbench hold");
		return 1;
	}
	long long t0 = now_us(), deadline = t0 + (long long)timeout_s * 1000000;
	int next = 0, inflight = 0, echoed = 0;
	long fails = 0;
	while (echoed < n && now_us() < deadline) {
		while (next < n && inflight < 256) {
			int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			if (fd < 0) {
				perror("socket");
				goto done;
			}
			int r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
			if (r < 0 && errno != EINPROGRESS) {
				close(fd);
				fails++;
				break; /* retry after the next wait */
			}
			struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = (uint32_t)next};
			fds[next] = fd;
			state[next] = C_CONNECTING;
			epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
			next++;
			inflight++;
		}
		struct epoll_event evs[256];
		int k = epoll_wait(ep, evs, 256, 100);
		for (int j = 0; j < k; j++) {
			uint32_t i = evs[j].data.u32;
			int fd = fds[i], err = 0;
			socklen_t el = sizeof err;
			if (state[i] == C_CONNECTING) {
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
				if (err || write(fd, "x\n", 2) != 2)
					goto failed;
				struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
				epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
				state[i] = C_WAITING;
			} else if (state[i] == C_WAITING) {
				char buf[8];
				ssize_t r = read(fd, buf, sizeof buf);
				if (r < 0 && errno == EAGAIN)
					continue;
				if (r != 2 || memcmp(buf, "x\n", 2) != 0)
					goto failed;
				epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
				state[i] = C_ECHOED;
				echoed++;
				inflight--;
			}
			continue;
		failed: /* try this slot again with a new connection */
			epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
			close(fd);
			fails++;
			inflight--;
			state[i] = C_FREE;
			/* move the slot to the end of the open ones */
			next--;
			if (i != (uint32_t)next) {
				fds[i] = fds[next];
				state[i] = state[next];
				state[next] = C_FREE;
				if (state[i] != C_ECHOED) {
					struct epoll_event ev = {
						.events = state[i] == C_CONNECTING ? EPOLLOUT : EPOLLIN,
						.data.u32 = i};
					epoll_ctl(ep, EPOLL_CTL_MOD, fds[i], &ev);
				}
			}
		}
	}
	usleep(200000); /* let the supervisor settle */
done:;
	long long ms = (now_us() - t0) / 1000;
	long loaded = vmrss_kb(pid), tree_loaded = tree_rss_kb(pid, exe);
	for (int i = 0; i < next; i++)
		close(fds[i]);
	close(ep);
	free(fds);
	free(state);
	if (fails)
		fprintf(stderr, "sjbench hold: %ld connection attempts failed\n", fails);
	printf("%ld %ld %d %lld %ld %ld\n", idle, loaded, echoed, ms, tree_idle, tree_loaded);
	return echoed == n ? 0 : 1;
}

static int count_exe(const char *exe)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int count = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && is_exe(e->d_name, exe))
			count++;
	}
	closedir(d);
	return count;
}

/* busy and total jiffies of all CPUs */
static int cpu_jiffies(unsigned long long *busy, unsigned long long *total)
{
	unsigned long long v[10] = {0};
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		return -1;
	int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		       &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
	fclose(f);
	if (n < 5)
		return -1;
	*total = 0;
	for (int i = 0; i < 8; i++) /* guest time is counted in user already */
		*total += v[i];
	*busy = *total - v[3] - v[4]; /* less idle and iowait */
	return 0;
}

static int cmd_settle(long long timeout)
{
	long long t0 = now_us();
	int quiet = 0;
	unsigned long long b0, t0j, b1, t1j;
	if (cpu_jiffies(&b0, &t0j) < 0)
		return 1;
	while (quiet < 2 && now_us() - t0 < timeout) {
		usleep(250000);
		if (cpu_jiffies(&b1, &t1j) < 0)
			return 1;
		quiet = (t1j > t0j && (b1 - b0) * 10 < (t1j - t0j)) ? quiet + 1 : 0;
		b0 = b1;
		t0j = t1j;
	}
	printf("%lld\n", (now_us() - t0) / 1000);
	return quiet < 2;
}

int main(int argc, char **argv)
{
	const char *usage =
		"usage: sjbench port | connect|http PORT TIMEOUT_MS -- CMD... |\n"
		"       ready FD PATTERN TIMEOUT_MS -- CMD... | connrate PORT SECONDS N |\n"
		"       hold PORT N TIMEOUT_S PID EXE | settle TIMEOUT_MS |\n"
		"       waitgone EXE TIMEOUT_MS\n";
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
	if (argc >= 6 && strcmp(argv[4], "--") == 0 &&
	    (strcmp(argv[1], "connect") == 0 || strcmp(argv[1], "http") == 0))
		return cmd_launch(strcmp(argv[1], "http") == 0, atoi(argv[2]),
				  atoll(argv[3]) * 1000, argv + 5);
	if (argc >= 7 && strcmp(argv[1], "ready") == 0 && strcmp(argv[5], "--") == 0)
		return cmd_ready(atoi(argv[2]), argv[3], atoll(argv[4]) * 1000, argv + 6);
	if (argc == 5 && strcmp(argv[1], "connrate") == 0)
		return cmd_connrate(atoi(argv[2]), atof(argv[3]), atoi(argv[4]));
	if (argc == 7 && strcmp(argv[1], "hold") == 0)
		return cmd_hold(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]),
				(pid_t)atoi(argv[5]), argv[6]);
	if (argc == 3 && strcmp(argv[1], "settle") == 0)
		return cmd_settle(atoll(argv[2]) * 1000);
	if (argc == 4 && strcmp(argv[1], "waitgone") == 0) {
		long long t0 = now_us(), timeout = atoll(argv[3]) * 1000;
		int n;
		while ((n = count_exe(argv[2])) > 0 && now_us() - t0 < timeout)
			usleep(50000);
		printf("%d\n", n);
		return n != 0;
	}
	fputs(usage, stderr);
	return 2;
}
