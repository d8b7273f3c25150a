import "os" for Process
class Main {
  static build(n) {
    __data = []
    var pad = "x" * 100
    for (i in 0...n) __data.add([pad + i.toString, i])
  }
  static serve(requests) {
    System.print("serving")
    var times = []
    for (r in 0...requests) {
      var start = System.clock
      var tmp = []
      for (k in 0...500) tmp.add([k, "req %(r) %(k)"])
      __data[(r * 7919) % __data.count][1] = tmp[r % 500]
      times.add(System.clock - start)
    }
    times.sort()
    var ms = Fn.new {|s| (s * 1e6).round / 1e3 }
    System.print("requests p50 %(ms.call(times[requests / 2])) p99 %(ms.call(times[(requests * 99 / 100).floor])) max %(ms.call(times[-1])) ms")
    var nums = 0
    var lists = 0
    for (e in __data) {
      if (e[1] is Num) {
        nums = nums + e[1]
      } else {
        lists = lists + e[1][0]
      }
    }
    System.print("result %(__data.count) %(nums) %(lists)")
  }
}
Main.build(Num.fromString(Process.arguments[0]))
Main.serve(2000)
