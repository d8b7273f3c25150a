// Ten repeating timers, one event a second. Snapshot after the third event,
// pause, restore: the events go on one per second, with no burst to catch up,
// because the VM's monotonic clock excludes the time the image lay frozen.
import "scheduler" for Scheduler
import "snapshot" for Snapshot
import "time" for Time
import "timer" for Timer

var start = Time.monotonic
for (n in 1..10) {
  Scheduler.add {
    Timer.sleep(n * 1000)
    System.print("timer %(n) fired at %((Time.monotonic - start).round) s (monotonic)")
    if (n == 3) {
      if (Snapshot.take("timer_events.img")) {
        System.print("restored after %(Snapshot.downtime.round) s frozen")
      }
    }
  }
}
Timer.sleep(10500)
