/*
 * snmp_replay: sends prebuilt SNMP requests (bench/snmp_requests.py) to an
 * agent, keeping CONC in flight, for SECONDS seconds; counts answers.
 * Its own cost per request is two system calls, so the agent's work is what
 * limits the rate. A request unanswered for 200 ms is counted lost and its
 * slot reused.
 *
 * usage: snmp_replay FILE HOST PORT CONC SECONDS
 * prints "requests N lost L seconds S"
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: snmp_replay FILE HOST PORT CONC SECONDS\n");
        return 2;
    }
    FILE *file = fopen(argv[1], "rb");
    if (!file) { perror(argv[1]); return 1; }
    unsigned char *datagrams[4096];
    size_t lengths[4096];
    int count = 0;
    unsigned char header[2];
    while (count < 4096 && fread(header, 1, 2, file) == 2) {
        lengths[count] = (size_t)header[0] << 8 | header[1];
        datagrams[count] = malloc(lengths[count]);
        if (fread(datagrams[count], 1, lengths[count], file) != lengths[count]) break;
        count++;
    }
    fclose(file);
    if (count == 0) { fprintf(stderr, "no requests in %s\n", argv[1]); return 1; }
    int concurrency = atoi(argv[4]);
    double seconds = atof(argv[5]);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in agent = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[3]))};
    inet_pton(AF_INET, argv[2], &agent.sin_addr);
    if (connect(fd, (struct sockaddr *)&agent, sizeof agent) != 0) { perror("connect"); return 1; }
    long answered = 0, lost = 0, next = 0;
    int in_flight = 0;
    unsigned char buffer[65536];
    double start = now(), end = start + seconds, last_answer = start;
    while (now() < end) {
        while (in_flight < concurrency) {
            if (send(fd, datagrams[next % count], lengths[next % count], 0) < 0) break;
            next++;
            in_flight++;
        }
        struct pollfd readable = {.fd = fd, .events = POLLIN};
        if (poll(&readable, 1, 50) > 0) {
            while (recv(fd, buffer, sizeof buffer, MSG_DONTWAIT) > 0) {
                answered++;
                in_flight--;
                last_answer = now();
            }
        } else if (now() - last_answer > 0.2) {
            lost += in_flight;
            in_flight = 0;
            last_answer = now();
        }
    }
    printf("requests %ld lost %ld seconds %.3f\n", answered, lost, now() - start);
    return 0;
}
