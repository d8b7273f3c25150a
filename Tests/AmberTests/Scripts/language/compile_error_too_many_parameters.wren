// A method may declare at most 16 parameters.
class Wide {
  static take(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q) { "too many" } // expect error
}
