// Sixteen parameters and arguments are allowed.
class Wide {
  static sum(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p) {
    return a + b + c + d + e + f + g + h + i + j + k + l + m + n + o + p
  }
}
System.print(Wide.sum(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)) // expect: 136

var f = Fn.new {|a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p| p }
System.print(f.arity) // expect: 16
System.print(f.call(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, "last")) // expect: last
