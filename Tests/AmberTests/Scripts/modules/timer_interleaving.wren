import "scheduler" for Scheduler
import "timer" for Timer

// Sleeping suspends only the calling fiber; others run meanwhile.
var log = []
Scheduler.add {
  log.add("slow starts")
  Timer.sleep(30)
  log.add("slow wakes")
}
Scheduler.add {
  log.add("fast starts")
  Timer.sleep(5)
  log.add("fast wakes")
}
var start = System.clock
Timer.sleep(60)
var elapsed = System.clock - start
System.print(log.join(", ")) // expect: slow starts, fast starts, fast wakes, slow wakes
System.print((elapsed - 0.06).abs < 1e-9) // expect: true
System.print(Timer.sleep(0)) // expect: null
