@_spi(AmberInternals) import AmberObjects

// The `scheduler` and `timer` modules of Wren's command line.
//
// Timer.sleep suspends only the calling fiber: the native records (fiber,
// wake time) in the root block's timer queue, then the fiber hands control to
// the next scheduled fiber or, if there is none, suspends to the host. The
// event loop (`continueRunning`, below) then sleeps until the earliest timer is due and
// resumes its fiber. Everything lives in the heap (the queue is a List of
// fiber/time pairs), so pending timers are part of an image; wake times are on
// the VM's monotonic clock, which excludes time spent frozen in an image.

extension VM {
    static let schedulerSource = """
    // Fibers waiting to run, in order; each runs when the running fiber waits.
    class Scheduler {
      static add(callable) {
        if (__queue == null) __queue = []
        __queue.add(Fiber.new {
          callable.call()
          runNextScheduled_()
        })
      }

      // Gives control to the next scheduled fiber, or back to the host.
      static runNextScheduled_() {
        if (__queue == null || __queue.isEmpty) return Fiber.suspend()
        return __queue.removeAt(0).transfer()
      }
    }
    """

    static let timerSource = """
    import "scheduler" for Scheduler

    class Timer {
      static sleep(milliseconds) {
        if (!(milliseconds is Num)) Fiber.abort("Milliseconds must be a number.")
        if (milliseconds < 0) Fiber.abort("Milliseconds cannot be negative.")
        startTimer_(milliseconds, Fiber.current)
        Scheduler.runNextScheduled_()
      }

      foreign static startTimer_(milliseconds, fiber)
    }
    """

    func registerTimerModules() {
        registerBuiltinModule("scheduler", source: VM.schedulerSource)
        registerBuiltinModule("timer", source: VM.timerSource)
        foreign("timer.Timer.static startTimer_(_,_)") { vm, a in
            // Whole milliseconds, as Wren CLI's timers have.
            let wake = vm.monotonicSeconds() + (a[1].number.rounded(.towardZero)) / 1000
            let queue = vm.root(.schedulerQueue).ref
            // Keep the queue ordered by wake time; equal times keep their order.
            var at = vm.listCount(queue) / 2
            while at > 0 && vm.listGet(queue, 2 * (at - 1) + 1).number > wake { at -= 1 }
            guard vm.listInsert(queue, 2 * at, a[2]), vm.listInsert(queue, 2 * at + 1, Value(wake)) else {
                return vm.fail("Out of memory.")
            }
            return vm.ret(a, .null)
        }
    }

    /// The event loop: runs the current fiber, then, while fibers sleep in
    /// timers, waits for the earliest and resumes it. Every run of script code
    /// from the host ends here (`runFiber`, and a restore's `resumeFromImage`).
    func continueRunning() -> InterpretResult {
        var outcome = run()
        while outcome == .finished, let (sleeper, wake) = takeNextTimer() {
            let delay = wake - monotonicSeconds()
            if delay > 0 {
                flushOutput()
                port.sleep(delay)
            }
            resume(sleeper, with: .null)
            outcome = run()
        }
        flushOutput()
        // Nothing runs between calls: the host may take a snapshot now.
        fiber = .none
        setRoot(.currentFiber, .null)
        switch outcome {
        case .finished: return .success
        case .runtimeError(let m): return .runtimeError(m)
        case .exit(let c): return .exit(c)
        }
    }

    /// Removes and returns the earliest timer: its fiber and wake time.
    func takeNextTimer() -> (ObjRef, Double)? {
        let queue = root(.schedulerQueue).ref
        guard listCount(queue) >= 2 else { return nil }
        let f = listRemove(queue, at: 0)
        let wake = listRemove(queue, at: 0)
        return (f.ref, wake.number)
    }
}
