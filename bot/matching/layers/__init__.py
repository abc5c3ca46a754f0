"""The scoring layers. Each takes the question's Reading and the pack's index and returns what it found:

* names: the entries' names written in the question, heard in it by pinyin, or nearly written (fuzzy);
* coverage: how much of the question's information each entry's text holds;
* examples: how close the question is to each entry's example questions;
* rules: the keyword rules of the pack's rules.yaml that fire, with their targets.

None of them decides: bot.matching.decide weighs what they found.
"""
