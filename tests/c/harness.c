/* See harness.h. */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int harness_passed, harness_failed;

int harness_report(void)
{
    printf("%d passed, %d failed\n", harness_passed, harness_failed);
    if (harness_passed + harness_failed == 0) {
        fprintf(stderr, "FAILED: no check ran\n");
        return 1;
    }
    return harness_failed == 0 ? 0 : 1;
}

int harness_tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("connect");
        exit(2);
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

BaseType_t harness_sock_recv(void *ctx, unsigned char *buf, size_t len)
{
    int fd = *(int *)ctx;
    for (;;) {
        ssize_t n = recv(fd, buf, len, 0);
        if (n > 0) return (BaseType_t)n;
        if (n == 0) return -1; /* the peer closed TCP: not "nothing yet" */
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        return -1;
    }
}

BaseType_t harness_sock_send(void *ctx, const unsigned char *buf, size_t len)
{
    int fd = *(int *)ctx;
    for (;;) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0) return (BaseType_t)n;
        if (errno == EINTR) continue;
        return -1;
    }
}

void harness_params(TLSParams_t *p, int *fd, const char *ca, uint32_t ca_len)
{
    memset(p, 0, sizeof *p);
    p->ulSize = sizeof *p;
    p->pcDestination = "localhost";
    p->pcServerCertificate = ca;
    p->ulServerCertificateLength = ca_len;
    p->pxNetworkRecv = harness_sock_recv;
    p->pxNetworkSend = harness_sock_send;
    p->pvCallerContext = fd;
}

uint32_t harness_read_pem(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!f) {
        perror(path);
        exit(2);
    }
    n = fread(buf, 1, cap, f);
    fclose(f);
    if (n == 0 || n >= cap) {
        fprintf(stderr, "%s: empty or larger than %zu bytes\n", path, cap - 1);
        exit(2);
    }
    buf[n] = '\0';
    return (uint32_t)n + 1;
}
