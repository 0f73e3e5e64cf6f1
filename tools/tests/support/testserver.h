/* testserver: a tiny HTTP/1.1 server on 127.0.0.1 that a test controls, run as a child
 * process (so it keeps answering while the test runs a tool). Commands change how it
 * answers the next requests:
 *   "status N"          answer with status N (default 200)
 *   "body TEXT"         answer with TEXT (default {"status": "ok", "id": 7})
 *   "echo"              answer with JSON describing the request (method, path,
 *                       authorization header, body)
 *   "delay MS"          wait MS before answering
 *   "pattern of..."     per request: 'o' answers 200, 'f' 500, 'c' closes; the last
 *                       letter repeats
 *   "close"             read the request, then close without answering
 *   "hang"              read the request, never answer
 *   "huge BYTES"        answer with a body of BYTES bytes
 *   "garbage"           answer with broken chunked encoding
 *   "noaccept"          keep listening but stop accepting connections
 *   "down" / "up"       stop listening (refuse connections, drop open ones) / listen again
 *   "outage MS"         down now, up again after MS
 *   "outage-at T MS"    down T ms from now, for MS
 *   "outage-on-usr1 MS" down for MS each time the server receives SIGUSR1
 *   "count"             replies with the number of requests answered so far
 *   "reset"             back to the defaults
 */
#ifndef TODO_TESTSERVER_H
#define TODO_TESTSERVER_H

#include <sys/types.h>

typedef struct testserver testserver;

/* Starts a server on a free port; aborts the test process on failure. */
testserver *testserver_start(void);
/* Sends a command and waits for the server to apply it; returns the reply line
 * (static buffer: "ok" or the count). */
const char *testserver_cmd(testserver *s, const char *fmt, ...);
int testserver_port(const testserver *s);
pid_t testserver_pid(const testserver *s);
/* "http://127.0.0.1:PORT" + path (static buffer, valid until the next call). */
const char *testserver_url(const testserver *s, const char *path);
/* Kills the server and frees s. */
void testserver_stop(testserver *s);

/* The per-test server of suites that need one: started before each test and stopped after
 * it by tcase_add_checked_fixture(tc, testserver_fixture_start, testserver_fixture_stop). */
extern testserver *test_srv;
void testserver_fixture_start(void);
void testserver_fixture_stop(void);

/* Runs build/bin/probe (TOOLS_BIN) with the given arguments, no stdin, no extra environment. */
#define PROBE(...) run_tool("probe", (const char *const[]){__VA_ARGS__, NULL}, NULL, NULL)

/* Runs $TOOLS_BIN/<tool> like run_tool (check_helpers.h) but sends it SIGINT after
 * after_ms milliseconds (Ctrl-C tests). Output is captured; fill a tool_run. */
struct tool_run;
void run_tool_interrupted(struct tool_run *r, const char *tool, const char *const *args,
                          int after_ms);

/* A port on 127.0.0.1 where nothing listens (bound then closed). */
int testserver_free_port(void);

#endif
