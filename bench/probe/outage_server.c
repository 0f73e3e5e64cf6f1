/* outage_server: the probe suites' test server as a standalone program for the bench.
 * Prints "PORT PID" (PID receives SIGUSR1 to start an outage), then forwards each
 * stdin line as a command (see tools/tests/support/testserver.h) and echoes the reply;
 * stops the server at end of input. */
#include <stdio.h>
#include <string.h>

#include "testserver.h"

int main(void)
{
    testserver *s = testserver_start();
    printf("%d %d\n", testserver_port(s), (int)testserver_pid(s));
    fflush(stdout);
    char line[1024];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0]) {
            printf("%s\n", testserver_cmd(s, "%s", line));
            fflush(stdout);
        }
    }
    testserver_stop(s);
    return 0;
}
