/* acceptsvc: the per-connection service of bench/run.sh's Accept=yes rows
 * (built by run.sh, not the Makefile). inetd style: the connection is stdin
 * and stdout, so it runs under tcpserver, systemd-socket-activate --inetd -a
 * and sockjail's accept mode (standard_input: socket) alike.
 *
 *   acceptsvc         read one line (up to 4 KiB, or until EOF), write it
 *                     back, exit
 *   acceptsvc hold    echo whatever arrives until EOF, then exit: holds its
 *                     connection open as long as the client does
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

static int write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(1, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char buf[4096];
	size_t len = 0;

	if (argc > 1 && strcmp(argv[1], "hold") == 0) {
		for (;;) {
			ssize_t r = read(0, buf, sizeof buf);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return 0;
			if (write_all(buf, (size_t)r) < 0)
				return 1;
		}
	}
	while (len < sizeof buf) {
		ssize_t r = read(0, buf + len, sizeof buf - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (memchr(buf + len - (size_t)r, '\n', (size_t)r))
			break;
	}
	return write_all(buf, len) < 0;
}
