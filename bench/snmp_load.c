/*
 * snmp_load: an SNMP GET load generator that does not fork per request.
 * One process, one net-snmp session, CONC requests kept in flight with the
 * library's asynchronous API, one varbind per GET, for SECONDS seconds.
 * Prints "requests N errors E timeouts T seconds S" on standard output.
 *
 * usage: snmp_load [net-snmp options: -v3 -l authPriv -u ... ] AGENT OID CONC SECONDS
 * Built by bench/snmpd.sh against libnetsnmp (Debian libsnmp-dev).
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/select.h>
#include <time.h>

static long answered, errors, timeouts;
static int in_flight;
static oid target[MAX_OID_LEN];
static size_t target_length = MAX_OID_LEN;

static int on_answer(int operation, netsnmp_session *session, int request_id, netsnmp_pdu *pdu, void *magic)
{
    (void)session; (void)request_id; (void)magic;
    in_flight--;
    if (operation == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) {
        if (pdu->errstat == SNMP_ERR_NOERROR && pdu->variables && pdu->variables->type != SNMP_NOSUCHOBJECT)
            answered++;
        else
            errors++;
    } else {
        timeouts++;
    }
    return 1;
}

static int send_one(netsnmp_session *session)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
    snmp_add_null_var(pdu, target, target_length);
    if (!snmp_send(session, pdu)) {
        snmp_free_pdu(pdu);
        return 0;
    }
    in_flight++;
    return 1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    netsnmp_session settings, *session;
    int next = snmp_parse_args(argc, argv, &settings, "", NULL);
    if (next < 0 || argc - next != 3) {
        fprintf(stderr, "usage: snmp_load [net-snmp options] AGENT OID CONC SECONDS\n");
        return 2;
    }
    if (!snmp_parse_oid(argv[next], target, &target_length)) {
        snmp_perror(argv[next]);
        return 2;
    }
    int concurrency = atoi(argv[next + 1]);
    double seconds = atof(argv[next + 2]);
    settings.callback = on_answer;
    SOCK_STARTUP;
    session = snmp_open(&settings);
    if (!session) {
        snmp_sess_perror("snmp_open", &settings);
        return 1;
    }
    /* Discovery and time synchronisation happen on the first request. */
    double start = now(), end = start + seconds;
    while (now() < end) {
        while (in_flight < concurrency && send_one(session)) {}
        int fds = 0, block = 1;
        fd_set readable;
        struct timeval timeout = {0, 100000};
        FD_ZERO(&readable);
        snmp_select_info(&fds, &readable, &timeout, &block);
        int ready = select(fds, &readable, NULL, NULL, &timeout);
        if (ready > 0)
            snmp_read(&readable);
        else if (ready == 0)
            snmp_timeout();
    }
    double elapsed = now() - start;
    printf("requests %ld errors %ld timeouts %ld seconds %.3f\n", answered, errors, timeouts, elapsed);
    snmp_close(session);
    SOCK_CLEANUP;
    return 0;
}
