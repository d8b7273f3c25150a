var nums = [5, 3, 9, 1, 7, 2]
System.print(nums.sort()) // expect: [1, 2, 3, 5, 7, 9]
System.print(nums) // expect: [1, 2, 3, 5, 7, 9]

nums.sort {|a, b| a > b }
System.print(nums) // expect: [9, 7, 5, 3, 2, 1]

var words = ["pear", "fig", "banana", "kiwi"]
words.sort {|a, b| a.count < b.count }
System.print(words[0]) // expect: fig
System.print(words[-1]) // expect: banana

var empty = []
empty.sort()
System.print(empty) // expect: []

var negatives = [-1, 10, -20, 0, 3.5]
negatives.sort()
System.print(negatives) // expect: [-20, -1, 0, 3.5, 10]

var many = (1..50).map {|i| (i * 37) % 50 }.toList
many.sort()
System.print(many[0..4]) // expect: [0, 1, 2, 3, 4]
System.print(many[-1]) // expect: 49
