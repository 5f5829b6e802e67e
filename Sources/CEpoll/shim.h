// Linux readiness notification (epoll) and wake-up counters (eventfd), which Swift's Glibc module
// does not include. Used by the HTTP module's event loops.
#include <sys/epoll.h>
#include <sys/eventfd.h>

// accept4 is declared by <sys/socket.h> only under _GNU_SOURCE; it saves two fcntl calls per connection.
// (The socket types are spelled out so that this header does not claim <sys/socket.h> from Glibc.)
struct sockaddr;
int accept4(int fd, struct sockaddr *address, unsigned int *length, int flags);
