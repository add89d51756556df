/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kecho: the Linux kernel's side of the echo benchmark (tests/bench/run). A TCP echo server on
 * Linux sockets, one thread, epoll, edge of nothing fancy: what it reads it writes back, so the
 * kernel does the same work as wskstack-echo -s. Not a WSK client (it measures the kernel).
 *
 *   kecho [-a A.B.C.D] [-p PORT]      (default 0.0.0.0:7) until SIGINT/SIGTERM
 *
 * Prints "kecho: ready" once listening and one summary line at the end.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_BYTES 65536

struct conn {
	int fd;
	size_t pend_off, pend_len; /* bytes read but not yet written back */
	char buf[BUF_BYTES];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig) { (void)sig; stop = 1; }

static void
usage(void)
{
	fprintf(stderr, "usage: kecho [-a A.B.C.D] [-p PORT]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(7) };
	unsigned long long conns = 0, bytes = 0;
	struct epoll_event evs[256];
	int lfd, ep, one = 1, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-a") == 0 && i + 1 < argc) {
			if (inet_pton(AF_INET, argv[++i], &sa.sin_addr) != 1)
				usage();
		} else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc) {
			char *end;
			long p = strtol(argv[++i], &end, 10);

			if (*end != '\0' || p < 1 || p > 65535)
				usage();
			sa.sin_port = htons((unsigned short)p);
		} else {
			usage();
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 1024) != 0) {
		perror("kecho: listen");
		return 1;
	}
	ep = epoll_create1(0);
	evs[0] = (struct epoll_event){ .events = EPOLLIN, .data.ptr = NULL };
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &evs[0]);
	printf("kecho: ready %s:%u\n", inet_ntoa(sa.sin_addr), ntohs(sa.sin_port));
	while (!stop) {
		int n = epoll_wait(ep, evs, 256, 200);

		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			ssize_t r;

			if (c == NULL) {
				int fd;

				while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					struct epoll_event ev = { .events = EPOLLIN };

					c = calloc(1, sizeof(*c));
					if (c == NULL) {
						close(fd);
						continue;
					}
					c->fd = fd;
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					ev.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
					conns++;
				}
				continue;
			}
			for (;;) {
				if (c->pend_len > 0) {
					r = write(c->fd, c->buf + c->pend_off, c->pend_len);
					if (r < 0 && errno == EAGAIN) {
						struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };

						epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
						break;
					}
					if (r <= 0)
						goto drop;
					c->pend_off += (size_t)r;
					c->pend_len -= (size_t)r;
					if (c->pend_len > 0)
						continue;
					if (evs[i].events & EPOLLOUT) {
						struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

						epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
					}
				}
				r = read(c->fd, c->buf, sizeof(c->buf));
				if (r < 0 && errno == EAGAIN)
					break;
				if (r <= 0)
					goto drop;
				bytes += (unsigned long long)r;
				c->pend_off = 0;
				c->pend_len = (size_t)r;
			}
			continue;
		drop:
			epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
			close(c->fd);
			free(c);
		}
	}
	printf("kecho: summary conns=%llu bytes=%llu\n", conns, bytes);
	return 0;
}
