class Runner {
  static run(fn) { fn.call() }
  static twice(arg, fn) { fn.call(fn.call(arg)) }
}

// A block after a method call is passed as the final argument.
System.print(Runner.run { "ran" }) // expect: ran
System.print(Runner.twice(3) {|n| n * n }) // expect: 81

// Block parameters.
var add = Fn.new {|a, b| a + b }
System.print(add.call(2, 3)) // expect: 5

// Methods of core classes taking blocks.
System.print([1, 2, 3].map {|x| x * 2 }.toList) // expect: [2, 4, 6]
var sum = 0
(1..4).each {|x| sum = sum + x }
System.print(sum) // expect: 10
