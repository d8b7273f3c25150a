// Errors raised by the random module.
import "random" for Random

var error = Fn.new {|body|
  System.print(Fiber.new(body).try())
}

error.call { Random.new([]) } // expect: Sequence cannot be empty.
error.call { Random.new(1...1) } // expect: Sequence cannot be empty.
error.call { Random.new([1, "two"]) } // expect: Sequence elements must all be numbers.
error.call { Random.new("abc") } // expect: Sequence elements must all be numbers.
error.call { Random.new(null) } // expect: Seed must be a number or a sequence of numbers.
error.call { Random.new(true) } // expect: Seed must be a number or a sequence of numbers.
error.call { Random.new({}) } // expect: Sequence cannot be empty.

var random = Random.new(1)
error.call { random.sample([]) } // expect: Not enough elements to sample.
error.call { random.sample([1, 2], 3) } // expect: Not enough elements to sample.
error.call { random.float("x") } // expect: Right operand must be a number.
error.call { random.int(1, "x") } // expect: String does not implement '-(_)'.
