"""ussd"""
