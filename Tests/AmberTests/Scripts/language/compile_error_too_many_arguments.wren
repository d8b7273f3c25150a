// A call may pass at most 16 arguments.
class Sink {
  static take(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p) { "ok" }
}
System.print(Sink.take(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17)) // expect error
