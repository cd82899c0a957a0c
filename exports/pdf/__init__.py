"""PDF documents laid out as GB/T 9704-2012 official documents: the monthly 通报, the 督办通知单, and the scaffold they share.

cjk: Chinese line breaking; document: the page scaffold, 版头, 落款, 版记 and atomic writing; text: ledger
text made printable; monthly: the 工作进展情况通报; notices: the 督办通知单.
"""
