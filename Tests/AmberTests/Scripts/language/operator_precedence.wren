System.print(2 + 3 * 4) // expect: 14
System.print((2 + 3) * 4) // expect: 20
System.print(10 - 4 - 3) // expect: 3
System.print(100 / 10 / 5) // expect: 2
System.print(-2 * 3) // expect: -6
System.print(7 % 4 * 2) // expect: 6
System.print(1 + 2 == 3) // expect: true
System.print(1 < 2 == true) // expect: true
System.print(1 | 2 & 3) // expect: 3
System.print(1 << 2 + 1) // expect: 8
System.print(6 ^ 3 & 1) // expect: 7
System.print(!true == false) // expect: true
System.print(1 + 2..4) // expect: 3..4
System.print(2 * 3 is Num) // expect: true
System.print(true || false && false) // expect: true
System.print(-"abc".count) // expect: -3
