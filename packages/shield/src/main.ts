import { runTierMain } from '@cdnlab/tier';

void runTierMain('shield');
