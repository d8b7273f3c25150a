class Animal {
  construct new(name) { _name = name }
  name { _name }
  sound { "..." }
  speak() { "%(name) says %(sound)" }
}

class Dog is Animal {
  construct new(name) { super(name) }
  sound { "woof" }
}

class Puppy is Dog {
  construct new(name) { super(name) }
  sound { "yip" }
}

System.print(Animal.new("Generic").speak()) // expect: Generic says ...
System.print(Dog.new("Rex").speak()) // expect: Rex says woof
System.print(Puppy.new("Bit").speak()) // expect: Bit says yip
System.print(Puppy.new("Bit") is Animal) // expect: true
System.print(Dog.new("Rex") is Puppy) // expect: false
System.print(Puppy.supertype) // expect: Dog
System.print(Puppy.supertype.supertype) // expect: Animal
System.print(Animal.supertype) // expect: Object
