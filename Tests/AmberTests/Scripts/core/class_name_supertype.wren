class Base {}
class Mid is Base {}
class Leaf is Mid {}

System.print(Leaf.name) // expect: Leaf
System.print(Leaf.name is String) // expect: true
System.print(Leaf.supertype) // expect: Mid
System.print(Leaf.supertype.supertype.name) // expect: Base
System.print(Base.supertype) // expect: Object
System.print(Object.supertype) // expect: null
System.print(Class.supertype) // expect: Object
System.print(Num.supertype) // expect: Object
System.print(List.supertype) // expect: Sequence
System.print(String.supertype) // expect: Sequence
System.print(Map.supertype) // expect: Sequence
System.print(Range.supertype) // expect: Sequence
System.print(Leaf) // expect: Leaf
System.print(Leaf.type.name) // expect: Leaf metaclass
System.print(Leaf.type.type) // expect: Class
System.print(Class.type) // expect: Class
