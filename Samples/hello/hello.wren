// The Xsnapshot demo, in Wren: a server that takes a while to start.
//
// Four slow initialisation steps run once; `Main.snapshot()` is the trigger.
// Run it with -snapshot:... to write an image when the trigger is entered,
// then start any number of processes from that image with -restore:...
// They resume at the trigger: no initialisation, and the same seed.
import "random" for Random
import "timer" for Timer

class Main {
  static init() {
    var steps = ["loading configuration", "opening connections", "warming caches", "building routes"]
    for (i in 0...steps.count) {
      System.print("Init step %(i + 1) of %(steps.count): %(steps[i])...")
      Timer.sleep(500)
    }
    __seed = Random.new().int(1000000)
    System.print("Initialisation done; seed %(__seed)")
  }

  // The snapshot trigger: everything before this call is in the image.
  static snapshot() {
    System.print("Starting receiving requests (seed %(__seed))")
  }
}

var start = System.clock
Main.init()
Main.snapshot()
