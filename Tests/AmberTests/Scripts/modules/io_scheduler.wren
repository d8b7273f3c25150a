// Like Wren CLI's asynchronous file operations, each io call lets the fibers
// waiting in the scheduler run before it completes; a call that needs no
// operation (closing a closed file) does not.
import "io" for File, Directory
import "scheduler" for Scheduler
import "os" for Process

var path = "/tmp/amber_io_sched_%(Process.pid).txt"
var log = []
Scheduler.add { log.add("first") }
Scheduler.add { log.add("second") }
File.create(path) {|f| f.writeBytes("abc") }
log.add("written")
System.print(log.join(", ")) // expect: first, second, written

Scheduler.add { System.print("scheduled") }
System.print(File.size(path))
// expect: scheduled
// expect: 3

// Fibers doing io interleave with the main one: each call lets them go on.
log = []
Scheduler.add {
  log.add("a: %(File.read(path))")
}
Scheduler.add {
  log.add("b: %(File.exists(path))")
}
log.add("main: %(Directory.exists("/tmp"))")
System.print(log) // expect: [main: true]
var calls = 0
while (log.count < 3) {
  File.size(path)
  calls = calls + 1
}
log.sort {|x, y| x.bytes[0] < y.bytes[0] }
System.print(log) // expect: [a: abc, b: true, main: true]
System.print(calls < 10) // expect: true

// Closing a closed file is synchronous; the next real operation lets the
// scheduled fiber run.
var file = File.open(path)
file.close()
Scheduler.add { System.print("scheduled again") }
file.close()
System.print("sync") // expect: sync
File.delete(path)
// expect: scheduled again
System.print(File.exists(path)) // expect: false
